// ISO 8601 text to UTC microseconds and back (core/utc_time.h).
#include "core/utc_time.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace callledger {
namespace {

// 2026-11-26T09:15:58.161Z, computed independently (Python's datetime).
constexpr std::int64_t kFirstFrameUs = 1795684558161000;

TEST_CASE("ParseIsoTimestamp accepts every offset form", "[utc_time]") {
  CHECK(ParseIsoTimestamp("2026-11-26T09:15:58.161Z") == kFirstFrameUs);
  CHECK(ParseIsoTimestamp("2026-11-26T09:15:58.161+0000") == kFirstFrameUs);
  CHECK(ParseIsoTimestamp("2026-11-26T09:15:58.161-0000") == kFirstFrameUs);
  CHECK(ParseIsoTimestamp("2026-11-26T14:15:58.161+05:00") == kFirstFrameUs);
  // A negative offset with minutes.
  CHECK(ParseIsoTimestamp("2026-01-01T00:00:00-0330") == 1767238200000000);
  CHECK(ParseIsoTimestamp("2026-01-01T00:00:00-03:30") == 1767238200000000);
  CHECK(ParseIsoTimestamp("2026-01-01T03:30:00+0000") == 1767238200000000);
  // ... carrying the date across midnight and into the next year.
  const std::optional<std::int64_t> new_year = ParseIsoTimestamp("2025-12-31T23:30:00-0330");
  REQUIRE(new_year.has_value());
  CHECK(FormatUtcMillis(*new_year) == "2026-01-01T03:00:00.000Z");
  // Offsets move the date across midnight in both directions.
  CHECK(ParseIsoTimestamp("2026-11-27T04:15:58.161+1900") == kFirstFrameUs);
  CHECK(ParseIsoTimestamp("2026-11-25T23:15:58.161-1000") == kFirstFrameUs);
}

TEST_CASE("ParseIsoTimestamp handles any number of fractional digits", "[utc_time]") {
  const std::int64_t whole = kFirstFrameUs - 161000;
  CHECK(ParseIsoTimestamp("2026-11-26T14:15:58+0500") == whole);
  CHECK(ParseIsoTimestamp("2026-11-26T14:15:58.1+0500") == whole + 100000);
  CHECK(ParseIsoTimestamp("2026-11-26T14:15:58.161234+0500") == whole + 161234);
  // Beyond microseconds the digits are truncated, never rounded up.
  CHECK(ParseIsoTimestamp("2026-11-26T14:15:58.161234999+0500") == whole + 161234);
  CHECK(ParseIsoTimestamp("2026-11-26T14:15:58.999999999Z") ==
        whole + 5 * 3600 * 1000000LL + 999999);
}

TEST_CASE("ParseIsoTimestamp knows the calendar", "[utc_time]") {
  CHECK(ParseIsoTimestamp("2024-02-29T12:00:00Z") == 1709208000000000);
  CHECK(ParseIsoTimestamp("2000-02-29T00:00:00Z").has_value());
  CHECK_FALSE(ParseIsoTimestamp("2023-02-29T00:00:00Z").has_value());
  CHECK_FALSE(ParseIsoTimestamp("2100-02-29T00:00:00Z").has_value());
  CHECK_FALSE(ParseIsoTimestamp("2026-04-31T00:00:00Z").has_value());
  CHECK(ParseIsoTimestamp("2026-12-31T23:59:59.999999Z").has_value());
}

TEST_CASE("ParseIsoTimestamp handles dates before 1970", "[utc_time]") {
  CHECK(ParseIsoTimestamp("1970-01-01T00:00:00Z") == 0);
  CHECK(ParseIsoTimestamp("1969-12-31T23:59:59.999999Z") == -1);
  CHECK(ParseIsoTimestamp("1970-01-01T04:59:59.999+0500") == -1000);
  CHECK(ParseIsoTimestamp("1969-07-20T20:17:40Z") == -14182940000000);
  CHECK(ParseIsoTimestamp("1900-01-01T00:00:00Z") == -2208988800000000);
  CHECK(ParseIsoTimestamp("0001-01-01T00:00:00Z") == -62135596800000000);
}

TEST_CASE("ParseIsoTimestamp rejects what is not a full timestamp with an offset", "[utc_time]") {
  const char* const bad[] = {
      "",
      "2026-11-26T14:15:58.161",        // No offset: we never guess the zone.
      "2026-11-26T14:15:58",            // No offset, no fraction.
      "2026-11-26",                     // Date only.
      "2026-13-26T14:15:58.161+0500",   // Month 13.
      "2026-00-26T14:15:58.161+0500",   // Month 0.
      "2026-11-00T14:15:58.161+0500",   // Day 0.
      "2026-11-31T14:15:58.161+0500",   // November has 30 days.
      "2026-11-26T24:15:58.161+0500",   // Hour 24.
      "2026-11-26T25:15:58.161+0500",   // Hour 25.
      "2026-11-26T14:60:58.161+0500",   // Minute 60.
      "2026-11-26T14:15:60.161+0500",   // Second 60.
      "2026-11-26T14:15:58.161+2400",   // Offset hour 24.
      "2026-11-26T14:15:58.161+0560",   // Offset minute 60.
      "2026-11-26T14:15:58.161+05",     // Offset without minutes.
      "2026-11-26T14:15:58.161+5:00",   // One-digit offset hour.
      "2026-11-26T14:15:58.161+05:0",   // One-digit offset minute.
      "2026-11-26T14:15:58.161+050",    // Three-digit offset.
      "2026-11-26T14:15:58.161+05000",  // Five-digit offset.
      "2026-11-26T14:15:58.+0500",      // A dot without digits.
      "2026-11-26T14:15:58.161+0500x",  // Trailing garbage.
      "2026-11-26T14:15:58.161+0500 ",  // Trailing space.
      "2026-11-26T14:15:58.161Zx",      // Trailing garbage after Z.
      "2026-11-26T14:15:58.161z",       // Lower-case zone.
      " 2026-11-26T14:15:58.161+0500",  // Leading space.
      "2026-11-26 14:15:58.161+0500",   // Space instead of T.
      "2026/11/26T14:15:58.161+0500",   // Wrong separators.
      "2026-11-26T14-15-58.161+0500",   // Wrong separators.
      "2O26-11-26T14:15:58.161+0500",   // Letter O for zero.
      "+2026-11-26T14:15:58.161+0500",  // Signed year.
      "26-11-26T14:15:58.161+0500",     // Two-digit year.
      "2026-11-26T14:15:58,161+0500",   // Comma fraction.
      "2026-11-26T14:15:58.161*0500",   // Not a sign.
      "not a timestamp at all, really",
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(ParseIsoTimestamp(text).has_value());
  }
  // Embedded NUL: the string_view's length, not C string semantics, counts.
  CHECK_FALSE(ParseIsoTimestamp(std::string_view("2026-11-26T14:15:58.161+0500\0", 29)));
  CHECK_FALSE(ParseIsoTimestamp(std::string_view("2026-11-26T14:15:58.161\0+0500", 29)));
}

TEST_CASE("FormatUtcMillis and FormatUtcMicros write UTC with a Z", "[utc_time]") {
  CHECK(FormatUtcMillis(kFirstFrameUs) == "2026-11-26T09:15:58.161Z");
  CHECK(FormatUtcMicros(kFirstFrameUs) == "2026-11-26T09:15:58.161000Z");
  CHECK(FormatUtcMicros(kFirstFrameUs + 234) == "2026-11-26T09:15:58.161234Z");
  // Milliseconds truncate, like the fraction parser.
  CHECK(FormatUtcMillis(kFirstFrameUs + 999) == "2026-11-26T09:15:58.161Z");
  CHECK(FormatUtcMillis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatUtcMicros(1709208000000000) == "2024-02-29T12:00:00.000000Z");
}

TEST_CASE("Formatting floors negative times", "[utc_time]") {
  CHECK(FormatUtcMicros(-1) == "1969-12-31T23:59:59.999999Z");
  CHECK(FormatUtcMillis(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(FormatUtcMillis(-1000) == "1969-12-31T23:59:59.999Z");
  CHECK(FormatUtcMillis(-1001) == "1969-12-31T23:59:59.998Z");
  CHECK(FormatUtcMicros(-1000000) == "1969-12-31T23:59:59.000000Z");
  CHECK(FormatUtcMicros(-86400000000) == "1969-12-31T00:00:00.000000Z");
  CHECK(FormatUtcMicros(-86400000001) == "1969-12-30T23:59:59.999999Z");
  CHECK(FormatUtcMicros(-2208988800000000) == "1900-01-01T00:00:00.000000Z");
  CHECK(FormatUtcMicros(-14182940000000) == "1969-07-20T20:17:40.000000Z");
}

TEST_CASE("Formatting survives the extremes of int64", "[utc_time]") {
  // Nobody stores these, but a corrupt record must not crash a formatter.
  const std::string min = FormatUtcMicros(std::numeric_limits<std::int64_t>::min());
  const std::string max = FormatUtcMicros(std::numeric_limits<std::int64_t>::max());
  CHECK(min == "-290308-12-21T19:59:05.224192Z");
  CHECK(max == "294247-01-10T04:00:54.775807Z");
}

TEST_CASE("Parse and format round-trip", "[utc_time]") {
  // Every microsecond value in years 0000-9999 formats to text that parses
  // back to the same value; random samples plus the edges.
  const std::int64_t lowest = *ParseIsoTimestamp("0000-01-01T00:00:00Z");
  const std::int64_t highest = *ParseIsoTimestamp("9999-12-31T23:59:59.999999Z");
  CHECK(FormatUtcMicros(lowest) == "0000-01-01T00:00:00.000000Z");
  CHECK(FormatUtcMicros(highest) == "9999-12-31T23:59:59.999999Z");
  std::mt19937_64 rng(20261126);
  std::uniform_int_distribution<std::int64_t> any(lowest, highest);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t us = i < 3 ? std::int64_t{i - 1} : any(rng);
    const std::string text = FormatUtcMicros(us);
    INFO(us << " " << text);
    REQUIRE(ParseIsoTimestamp(text) == us);
    // Milliseconds lose the sub-millisecond part, floored.
    const std::int64_t floored_ms = us - ((us % 1000) + 1000) % 1000;
    REQUIRE(ParseIsoTimestamp(FormatUtcMillis(us)) == floored_ms);
  }
}

}  // namespace
}  // namespace callledger
