// The /ari/asterisk/info of a restarted Asterisk (ari/asterisk_info.h):
// the recorded body with only its startup and reload times changed, written
// as Asterisk writes them.
#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "ari/asterisk_info.h"
#include "restart_captures.h"
#include "support/fixtures.h"

namespace callledger::ari {
namespace {

namespace json = boost::json;

// 2026-12-07T11:48:06.172431Z
constexpr std::int64_t kRestartUs = 1796644086172431;

std::string Recorded() {
  return testing::ReadFile(testing::CelCapture("a-inbound-answered.api-asterisk-info.json"));
}

// `text` with the first `from` written as `to`.
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE("a restarted Asterisk's info differs from the recorded one in its start times only",
          "[restart]") {
  const std::string recorded = Recorded();
  auto restarted = RestartedAsteriskInfo(recorded, kRestartUs);
  REQUIRE(restarted.ok());
  const json::value before = json::parse(recorded);
  const json::value after = json::parse(*restarted);
  CHECK(after.at("status").at("startup_time").as_string() == "2026-12-07T16:48:06.172+0500");
  CHECK(after.at("status").at("last_reload_time").as_string() == "2026-12-07T16:48:06.172+0500");
  CHECK(after.at("system").at("entity_id") == before.at("system").at("entity_id"));
  // Byte for byte, the rest is the recorded body: writing the old times
  // back gives it.
  const std::string old_time(before.at("status").at("startup_time").as_string());
  const std::string back = Replaced(Replaced(*restarted, "2026-12-07T16:48:06.172+0500", old_time),
                                    "2026-12-07T16:48:06.172+0500", old_time);
  CHECK(back == recorded);
}

TEST_CASE("the info keeps the whitespace around it, and a reload time only if it had one",
          "[restart]") {
  const std::string body =
      "{\"system\":{\"entity_id\":\"02:fc:00:00:00:01\"},\"status\":{\"startup_time\":"
      "\"2026-11-26T14:15:33.592+0500\"}}\n";
  auto restarted = RestartedAsteriskInfo(body, kRestartUs);
  REQUIRE(restarted.ok());
  CHECK(*restarted ==
        "{\"system\":{\"entity_id\":\"02:fc:00:00:00:01\"},\"status\":{\"startup_time\":"
        "\"2026-12-07T16:48:06.172+0500\"}}\n");
  for (const std::string bad :
       {"", "[]", "not json", R"({"status":{}})", R"({"status":{"startup_time":5}})",
        R"({"status":{"startup_time":"yesterday"}})", R"({"status":"up"})"}) {
    INFO(bad);
    const auto refused = RestartedAsteriskInfo(bad, kRestartUs);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Code::kInvalidInput);
  }
}

TEST_CASE("a time is written in the zone and precision of the value it replaces", "[restart]") {
  const auto like = [](std::string_view text) {
    auto out = FormatTimeLike(kRestartUs, text);
    REQUIRE(out.ok());
    return *out;
  };
  CHECK(like("2026-12-07T16:44:03.340+0500") == "2026-12-07T16:48:06.172+0500");
  CHECK(like("2026-12-07T16:44:03.340+05:00") == "2026-12-07T16:48:06.172+05:00");
  CHECK(like("2026-12-07T11:44:03.340Z") == "2026-12-07T11:48:06.172Z");
  CHECK(like("2026-12-07T08:14:03-0330") == "2026-12-07T08:18:06-0330");
  CHECK(like("2026-12-07T16:44:03.340123+0500") == "2026-12-07T16:48:06.172431+0500");
  // Across midnight in the zone.
  CHECK(FormatTimeLike(1796670000000000, "2026-12-07T16:44:03.340+0500").value() ==
        "2026-12-08T00:00:00.000+0500");
  CHECK_FALSE(FormatTimeLike(kRestartUs, "2026-12-07T16:44:03.340").ok());  // no zone
  CHECK_FALSE(FormatTimeLike(kRestartUs, "16:44").ok());
}

}  // namespace
}  // namespace callledger::ari
