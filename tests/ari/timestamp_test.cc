#include "ari/timestamp.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace callledger::ari {
namespace {

// 2026-11-26T09:15:58.161Z, computed independently (Python's datetime).
constexpr std::int64_t kFirstFrameUs = 1795684558161000;

TEST_CASE("ParseAriTimestamp converts Asterisk's +0500 local time to UTC", "[timestamp]") {
  const std::optional<std::int64_t> us = ParseAriTimestamp("2026-11-26T14:15:58.161+0500");
  REQUIRE(us.has_value());
  CHECK(*us == kFirstFrameUs);
  CHECK(FormatUtcMillis(*us) == "2026-11-26T09:15:58.161Z");
}

TEST_CASE("AriTimestampParser gives ParseAriTimestamp's result for any sequence of texts",
          "[timestamp]") {
  // Texts that share a cached minute and offset, and near misses of every
  // byte its fast path looks at: a later text must never be read through a
  // cache an earlier one left.
  const std::vector<std::string> texts = {
      "2026-11-26T14:51:13.519+0500",
      "2026-11-26T14:51:59.999+0500",
      "2026-11-26T14:51:00.000+0500",
      "2026-11-26T14:51:60.000+0500",
      "2026-11-26T14:51:1x.519+0500",
      "2026-11-26T14:51:13.5x9+0500",
      "2026-11-26T14:51:13,519+0500",
      "2026-11-26T14:51-13.519+0500",
      "2026-11-26T14:51:13.519+0530",
      "2026-11-26T14:51:13.519-0500",
      "2026-11-26T14:51:13.519+2400",
      "2026-11-26T14:51:13.519Z",
      "2026-11-26T14:51:13.519+05:00",
      "2026-11-26T14:51:13.5190+0500",
      "2026-11-26T14:51:13.51+0500",
      "2026-11-26T14:51:13+0500",
      "2026-11-26T14:52:13.519+0500",
      "2026-11-26T15:51:13.519+0500",
      "2026-11-27T14:51:13.519+0500",
      "2026-11-31T14:51:13.519+0500",
      "2024-02-29T23:59:59.999-1130",
      "2023-02-29T23:59:59.999-1130",
      "1969-12-31T23:59:59.999+0000",
      "2026-11-26T14:51:13.519+0500x",
      "",
      "not a timestamp at all, 28ch",
  };
  AriTimestampParser parser;
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string text = texts[rng() % texts.size()];
    // Now and then a random second and millisecond in the same minute.
    if (text.size() == 28 && rng() % 2 == 0) {
      text[17] = static_cast<char>('0' + rng() % 7);
      text[18] = static_cast<char>('0' + rng() % 10);
      text[20 + rng() % 3] = static_cast<char>('0' + rng() % 10);
    }
    INFO(text);
    REQUIRE(parser.Parse(text) == ParseAriTimestamp(text));
  }
}

}  // namespace
}  // namespace callledger::ari
