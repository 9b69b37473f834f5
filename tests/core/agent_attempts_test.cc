// agents_tried as JSON and as text (core/agent_attempts.h).
#include "core/agent_attempts.h"

#include <catch2/catch.hpp>

namespace callledger {
namespace {

TEST_CASE("agents_tried as JSON: keys in order, escaped, times to the precision asked") {
  const std::vector<AgentAttempt> tried = {
      {"101", "1795684654.62", 1795684654686123, LegOutcome::kNoAnswer},
      {"Oʻtkir \"7\"\\\n", "c", 0, LegOutcome::kUnknown},
  };
  CHECK(AgentsTriedJson(tried, TimePrecision::kMillis) ==
        R"([{"endpoint":"101","outcome":"no_answer","rung_at":"2026-11-26T09:17:34.686Z",)"
        R"("channel_id":"1795684654.62"},)"
        R"({"endpoint":"Oʻtkir \"7\"\\\u000a","outcome":"unknown","rung_at":null,)"
        R"("channel_id":"c"}])");
  CHECK(AgentsTriedJson(tried, TimePrecision::kMicros).find("09:17:34.686123Z") !=
        std::string::npos);
  CHECK(AgentsTriedJson({}, TimePrecision::kMillis) == "[]");
}

TEST_CASE("agents_tried for people; every outcome has a name that reads back") {
  CHECK(AgentsTriedText({{"101", "a", 1, LegOutcome::kNoAnswer},
                         {"102", "b", 2, LegOutcome::kBusy},
                         {"", "c", 3, LegOutcome::kAnswered}}) ==
        "101 no_answer; 102 busy; c answered");
  CHECK(AgentsTriedText({}) == "");
  for (LegOutcome o : {LegOutcome::kRinging, LegOutcome::kAnswered, LegOutcome::kNoAnswer,
                       LegOutcome::kBusy, LegOutcome::kCongestion, LegOutcome::kFailed,
                       LegOutcome::kCancelled, LegOutcome::kUnknown}) {
    CHECK(LegOutcomeFromName(LegOutcomeName(o)) == o);
  }
  CHECK_FALSE(LegOutcomeFromName("NOANSWER").has_value());
}

}  // namespace
}  // namespace callledger
