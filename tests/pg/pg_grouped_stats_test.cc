// The grouped supervisor figures (core/call_stats.h, GroupedStatsQuery;
// issue 14) on a real PostgreSQL: by agent, by the PBX's hours and days, by
// the line dialled, with hand-chosen calls whose every figure is worked out
// below, and against plain SQL over the same table.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "pg/pg_call_stats.h"
#include "stats_tables.h"
#include "support/call_rows.h"

namespace callledger {
namespace {

using testing::At;
using testing::Call;
using testing::IsInvalid;
using testing::kHour;
using testing::kMinute;
using testing::kSecond;
using testing::Period;
using testing::Table;

// 2026-11-20T00:00:00+0500 (written out: At() asserts, so not at static
// initialisation).
constexpr std::int64_t t0 = 1'795'114'800'000'000;

CallRow WithAgent(CallRow r, const std::string& agent) {
  r.agent = agent;
  return r;
}

// 2026-11-20 in Tashkent (+0500): the hours 09 to 12 hold two calls each.
std::vector<CallRow> Day() {
  const std::string a = "pbx-a";
  const auto at = [](int hour, int minute) { return t0 + hour * kHour + minute * kMinute; };
  return {
      // 09:00: two answered calls, rings of 10 s and 25 s.
      WithAgent(Call(a, "in-1", "kiruvchi", "998901", "712", at(9, 0), at(9, 0) + 10 * kSecond,
                     at(9, 0) + 70 * kSecond),
                "101"),
      WithAgent(Call(a, "in-2", "kiruvchi", "998902", "712", at(9, 30), at(9, 30) + 25 * kSecond,
                     at(9, 30) + 40 * kSecond),
                "102"),
      // 10:00: two abandoned; 998904 is answered later (in-5): only in-3 is missed.
      Call(a, "in-3", "kiruvchi", "998903", "713", at(10, 0), 0, at(10, 0) + 7 * kSecond),
      Call(a, "in-4", "kiruvchi", "998904", "712", at(10, 5), 0, at(10, 5) + 12 * kSecond),
      // 11:00: the caller of in-4 reaches 101; 101 calls a customer.
      WithAgent(Call(a, "in-5", "kiruvchi", "998904", "712", at(11, 0), at(11, 0) + 5 * kSecond,
                     at(11, 0) + 20 * kSecond),
                "101"),
      WithAgent(Call(a, "out-6", "chiquvchi", "101", "998905", at(11, 10), at(11, 10) + 3 * kSecond,
                     at(11, 10) + 63 * kSecond),
                "101"),
      // 12:00: abandoned without a number (always missed), and one still ringing.
      Call(a, "in-7", "kiruvchi", "", "712", at(12, 0), 0, at(12, 0) + 2 * kSecond),
      Call(a, "in-8", "kiruvchi", "998908", "712", at(12, 1), 0, 0),
      // Another PBX: only with every node.
      WithAgent(Call("pbx-b", "in-9", "kiruvchi", "998909", "712", at(9, 10),
                     at(9, 10) + 4 * kSecond, at(9, 10) + 9 * kSecond),
                "101"),
  };
}

GroupedStatsQuery Query(std::optional<StatsGroup> group_by, std::optional<StatsInterval> interval,
                        std::optional<std::string> node = "pbx-a") {
  GroupedStatsQuery q;
  q.stats.period = Period(t0, t0 + 24 * kHour);
  q.stats.period.zone = "Asia/Tashkent";
  q.stats.service_level_seconds = 20;
  q.stats.node = std::move(node);
  q.group_by = group_by;
  q.interval = interval;
  return q;
}

StatsGroupFigures Group(std::optional<std::string> key, std::string interval, std::int64_t offered,
                        std::int64_t answered, std::int64_t abandoned, std::optional<double> ring,
                        std::optional<double> talk, std::int64_t within_sl, std::int64_t missed,
                        std::optional<double> longest) {
  StatsGroupFigures g;
  g.key = std::move(key);
  g.interval_start = std::move(interval);
  g.figures.offered = offered;
  g.figures.answered = answered;
  g.figures.abandoned = abandoned;
  g.figures.abandon_rate = static_cast<double>(abandoned) / static_cast<double>(offered);
  g.figures.avg_ring_seconds = ring;
  g.figures.avg_talk_seconds = talk;
  g.figures.service_level = static_cast<double>(within_sl) / static_cast<double>(offered);
  g.missed = missed;
  g.longest_wait_seconds = longest;
  return g;
}

TEST_CASE("grouped stats: by agent, by the PBX's hour, by line and day", "[pg]") {
  REQUIRE(t0 == At("2026-11-20T00:00:00+0500"));
  Table t(Day());

  auto by_agent = t.Grouped(Query(StatsGroup::kAgent, std::nullopt));
  REQUIRE(by_agent.ok());
  CHECK(by_agent->since_us == t0);
  CHECK(by_agent->service_level_seconds == 20);
  // 101: in-1, in-5, out-6 (rings 10, 5, 3 s; talks 60, 15, 60 s). Nobody:
  // three abandoned (in-3 and in-7 still missed, in-4 reached by in-5) and
  // in-8 still ringing (no wait of its own yet: in-4's 12 s is the longest).
  const std::vector<StatsGroupFigures> agents = {
      Group("101", "", 3, 3, 0, 6.0, 45.0, 3, 0, 10.0),
      Group("102", "", 1, 1, 0, 25.0, 15.0, 0, 0, 25.0),
      Group(std::nullopt, "", 4, 0, 3, std::nullopt, std::nullopt, 0, 2, 12.0),
  };
  CHECK(by_agent->groups == agents);

  auto by_hour = t.Grouped(Query(std::nullopt, StatsInterval::kHour));
  REQUIRE(by_hour.ok());
  const std::vector<StatsGroupFigures> hours = {
      Group(std::nullopt, "2026-11-20T09:00", 2, 2, 0, 17.5, 37.5, 1, 0, 25.0),
      Group(std::nullopt, "2026-11-20T10:00", 2, 0, 2, std::nullopt, std::nullopt, 0, 1, 12.0),
      Group(std::nullopt, "2026-11-20T11:00", 2, 2, 0, 4.0, 37.5, 2, 0, 5.0),
      Group(std::nullopt, "2026-11-20T12:00", 2, 0, 1, std::nullopt, std::nullopt, 0, 1, 2.0),
  };
  CHECK(by_hour->groups == hours);

  // Both at once: the lines in the PBX's day, bytewise.
  auto lines = t.Grouped(Query(StatsGroup::kToNumber, StatsInterval::kDay));
  REQUIRE(lines.ok());
  REQUIRE(lines->groups.size() == 3);
  CHECK(lines->groups[0].key == "712");
  CHECK(lines->groups[0].figures.offered == 6);
  CHECK(lines->groups[1].key == "713");
  CHECK(lines->groups[2].key == "998905");
  for (const auto& g : lines->groups) CHECK(g.interval_start == "2026-11-20T00:00");

  // Every node: pbx-b's call is 101's too.
  auto every = t.Grouped(Query(StatsGroup::kAgent, std::nullopt, std::nullopt));
  REQUIRE(every.ok());
  CHECK(every->groups.at(0).key == "101");
  CHECK(every->groups.at(0).figures.offered == 4);
}

TEST_CASE("grouped stats agree with plain SQL over the same table", "[pg]") {
  Table t(Day());
  for (const auto group :
       {StatsGroup::kAgent, StatsGroup::kDirection, StatsGroup::kToNumber, StatsGroup::kNode}) {
    const std::string column(StatsGroupName(group));
    INFO(column);
    auto g = t.Grouped(Query(group, std::nullopt, std::nullopt));
    REQUIRE(g.ok());
    std::string got;
    for (const auto& row : g->groups) {
      got += (got.empty() ? "" : ";") + row.key.value_or("-") + "=" +
             std::to_string(row.figures.offered) + "/" + std::to_string(row.figures.answered);
    }
    const std::string want = t.db().Exec(
        "SELECT string_agg(coalesce(k, '-') || '=' || n || '/' || a, ';'"
        " ORDER BY k COLLATE \"C\" NULLS LAST)"
        " FROM (SELECT " +
        column +
        " AS k, count(*) AS n,"
        " count(*) FILTER (WHERE answered) AS a FROM call_logs GROUP BY " +
        column + ") x");
    CHECK(got == want);
  }
}

TEST_CASE("grouped stats: an unknown zone, a bad service level", "[pg]") {
  Table t(Day());
  GroupedStatsQuery q = Query(StatsGroup::kAgent, StatsInterval::kHour);
  q.stats.period.zone = "Mars/Olympus";
  auto bad_zone = t.Grouped(q);
  REQUIRE_FALSE(bad_zone.ok());
  CHECK(IsInvalid(bad_zone.status(), "zone"));
  // Without an interval the zone is not read (both bounds given).
  q.interval.reset();
  CHECK(t.Grouped(q).ok());
  q.stats.service_level_seconds = 3601;
  auto bad_sl = t.Grouped(q);
  REQUIRE_FALSE(bad_sl.ok());
  CHECK(IsInvalid(bad_sl.status(), "service_level_seconds"));
}

// GET /api/agents: who is talking, ringing or idle now, and each one's
// calls over the period.
TEST_CASE("agents: talking, ringing, idle, and their calls", "[pg]") {
  const std::string a = "pbx-a";
  const std::int64_t h9 = t0 + 9 * kHour;
  std::vector<CallRow> rows = Day();
  // Live now: 101 talking (answered at 12:30), a hunt ringing 102 for a
  // caller after 101 did not answer, a call transferred from 103 to 104,
  // and 105 placing a call not answered yet.
  CallRow talking = WithAgent(Call(a, "live-1", "kiruvchi", "998920", "712",
                                   h9 + 3 * kHour + 29 * kMinute, h9 + 3 * kHour + 30 * kMinute, 0),
                              "101");
  CallRow hunt =
      Call(a, "live-2", "kiruvchi", "998921", "712", h9 + 3 * kHour + 31 * kMinute, 0, 0);
  hunt.agents_tried = {
      AgentAttempt{"101", "leg-1", hunt.start_us + kSecond, LegOutcome::kNoAnswer},
      AgentAttempt{"102", "leg-2", hunt.start_us + 5 * kSecond + 123, LegOutcome::kRinging}};
  CallRow moved = WithAgent(Call(a, "live-3", "kiruvchi", "998922", "712",
                                 h9 + 3 * kHour + 10 * kMinute, h9 + 3 * kHour + 11 * kMinute, 0),
                            "103");
  moved.transferred_to = "104";
  CallRow dialing = WithAgent(
      Call(a, "live-4", "chiquvchi", "105", "998923", h9 + 3 * kHour + 32 * kMinute, 0, 0), "105");
  for (const CallRow& r : {talking, hunt, moved, dialing}) rows.push_back(r);
  Table t(rows);

  AgentsQuery q;
  q.period = Period(t0, t0 + 24 * kHour);
  q.node = a;
  auto list = t.Agents(q);
  REQUIRE(list.ok());
  std::map<std::string, AgentNow> by;
  std::string order;
  for (const AgentNow& x : list->agents) {
    by[x.agent] = x;
    order += x.agent + " ";
  }
  CHECK(order == "101 102 103 104 105 ");
  // 101: in-1, in-5, out-6 and live-1 (talks 60 + 15 + 60 s finished).
  CHECK(by["101"].state == AgentState::kTalking);
  CHECK(by["101"].call_id == "live-1");
  CHECK(by["101"].with_number == "998920");
  CHECK(by["101"].since_us == talking.answer_us);
  CHECK(by["101"].calls == 4);
  CHECK(by["101"].answered == 4);
  CHECK(by["101"].talk_us == 135 * kSecond);
  // 102: in-2 in the period, and the hunt's leg ringing now (since its ring).
  CHECK(by["102"].state == AgentState::kRinging);
  CHECK(by["102"].call_id == "live-2");
  CHECK(by["102"].with_number == "998921");
  CHECK(by["102"].since_us == hunt.start_us + 5 * kSecond + 123);
  CHECK(by["102"].calls == 1);
  // The transfer: 104 talks now; 103 took the call and is free.
  CHECK(by["103"].state == AgentState::kIdle);
  CHECK(by["103"].calls == 1);
  CHECK(by["104"].state == AgentState::kTalking);
  CHECK(by["104"].calls == 0);
  CHECK(by["105"].state == AgentState::kRinging);
  CHECK(by["105"].with_number == "998923");

  // Another node's calls count with every node only.
  q.node.reset();
  auto every = t.Agents(q);
  REQUIRE(every.ok());
  CHECK(every->agents.front().agent == "101");
  CHECK(every->agents.front().calls == 5);
}

}  // namespace
}  // namespace callledger
