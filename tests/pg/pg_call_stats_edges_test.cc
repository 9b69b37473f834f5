// The supervisor figures (core/call_stats.h) on a real PostgreSQL
// (CALL_LEDGER_TEST_PG): every definition's edge, on rows with hand-chosen
// times: the period's bounds, live calls, a NULL direction, the service
// level's threshold, empty periods and bad values.
#include "pg/pg_call_stats.h"

#include <catch2/catch.hpp>
#include <limits>
#include <string>
#include <vector>

#include "stats_tables.h"
#include "support/call_rows.h"

namespace callledger {
namespace {

using testing::At;
using testing::Call;
using testing::IsInvalid;
using testing::kDay;
using testing::kHour;
using testing::kSecond;
using testing::Period;
using testing::Table;

// ---------------------------------------------------------------------------
// (2) Every definition's edge, on rows with hand-chosen times.

TEST_CASE("stats: period bounds, live calls, NULL direction, service level boundary", "[pg]") {
  const std::int64_t t0 = At("2026-11-20T00:00:00+0500");
  const std::int64_t t1 = t0 + kDay;
  const std::string a = "pbx-a";
  const std::vector<CallRow> rows = {
      // Inbound, answered exactly 20 s after start (within a 20 s service
      // level), starting exactly at `since` (inside).
      Call(a, "in-a", "kiruvchi", "998901", "712", t0, t0 + 20 * kSecond, t0 + 50 * kSecond),
      // 1 µs over 20 s: not within.
      Call(a, "in-b", "kiruvchi", "998902", "712", t0 + kHour, t0 + kHour + 20 * kSecond + 1,
           t0 + kHour + 30 * kSecond + 1),
      // Live and talking: answered, in the ring mean, not in the talk mean.
      // Its ring (5.001499 s) makes the inbound ring mean exactly
      // 15000.5 ms, which rounds away from zero.
      Call(a, "in-c", "kiruvchi", "998903", "712", t0 + 2 * kHour, t0 + 2 * kHour + 5'001'499, 0),
      // Abandoned, and live (still ringing): offered, neither answered nor abandoned.
      Call(a, "in-d", "kiruvchi", "998904", "712", t0 + 3 * kHour, 0, t0 + 3 * kHour + 7 * kSecond),
      Call(a, "in-e", "kiruvchi", "998905", "712", t0 + 4 * kHour, 0, 0),
      // Another node, abandoned: nodes are summed.
      Call("pbx-b", "in-l", "kiruvchi", "998906", "712", t0 + 7 * kHour, 0,
           t0 + 7 * kHour + kSecond),
      // Outbound answered (talk 57.0004 s), and one never answered that
      // starts 1 µs before `until` (inside) and ends after it.
      Call(a, "out-f", "chiquvchi", "101", "998907", t0 + 5 * kHour, t0 + 5 * kHour + 3 * kSecond,
           t0 + 5 * kHour + 60'000'400),
      Call(a, "out-g", "chiquvchi", "102", "998908", t1 - 1, 0, t1 + 2 * kSecond),
      // NULL direction: in the total only.
      Call(a, "null-h", "", "998909", "712", t0 + 6 * kHour, t0 + 6 * kHour + kSecond,
           t0 + 6 * kHour + 2 * kSecond),
      // Outside: 1 µs before `since`, exactly at `until`, no start at all.
      Call(a, "in-i", "kiruvchi", "998910", "712", t0 - 1, t0 + kSecond, t0 + 2 * kSecond),
      Call(a, "in-j", "kiruvchi", "998911", "712", t1, 0, t1 + kSecond),
      Call(a, "in-k", "kiruvchi", "998912", "712", 0, 0, t0 + kSecond),
  };
  Table t(rows);
  StatsQuery q;
  q.period = Period(t0, t1);
  q.service_level_seconds = 20;
  auto s = t.Stats(q);
  REQUIRE(s.ok());
  CHECK(s->since_us == t0);
  CHECK(s->until_us == t1);

  CallFigures in;
  in.offered = 6;
  in.answered = 3;
  in.abandoned = 2;
  in.abandon_rate = 2.0 / 6;
  in.avg_ring_seconds = 15.001;  // (20 + 20.000001 + 5.001499) / 3 = 15.0005
  in.avg_talk_seconds = 20.0;    // (30 + 10) / 2; in-c is live
  in.service_level = 2.0 / 6;    // in-a (exactly 20 s) and in-c
  CHECK(s->by_direction.at("kiruvchi") == in);

  CallFigures out;
  out.offered = 2;
  out.answered = 1;
  out.abandoned = 0;  // an outbound call is never abandoned
  out.abandon_rate = 0.0;
  out.avg_ring_seconds = 3.0;
  out.avg_talk_seconds = 57.0;  // 57.0004 rounds down
  out.service_level = 0.5;
  CHECK(s->by_direction.at("chiquvchi") == out);
  CHECK(s->by_direction.size() == 2);

  CallFigures total;
  total.offered = 9;
  total.answered = 5;
  total.abandoned = 2;
  total.abandon_rate = 2.0 / 9;
  total.avg_ring_seconds = 9.8;   // 49.0015 / 5 = 9.8003
  total.avg_talk_seconds = 24.5;  // 98.0004 / 4 = 24.5001
  total.service_level = 4.0 / 9;  // in-a, in-c, out-f, null-h
  CHECK(s->total == total);

  // Per node: pbx-b's one abandoned call, pbx-a's eight; and a node's own
  // figures are the same asked for alone.
  REQUIRE(s->by_node.size() == 2);
  CHECK(s->by_node.at("pbx-a").offered == 8);
  CHECK(s->by_node.at("pbx-b").offered == 1);
  CHECK(s->by_node.at("pbx-b").abandoned == 1);
  CHECK(s->by_node.at("pbx-a").answered + s->by_node.at("pbx-b").answered == total.answered);
  for (const std::string node : {"pbx-a", "pbx-b"}) {
    INFO(node);
    StatsQuery one = q;
    one.node = node;
    auto alone = t.Stats(one);
    REQUIRE(alone.ok());
    CHECK(alone->total == s->by_node.at(node));
    REQUIRE(alone->by_node.size() == 1);
    CHECK(alone->by_node.at(node) == s->by_node.at(node));
  }
  StatsQuery nobody = q;
  nobody.node = "pbx-z";
  auto none = t.Stats(nobody);
  REQUIRE(none.ok());
  CHECK(none->total == CallFigures{});
  CHECK(none->by_node.empty());

  // The threshold itself: 0 s takes nobody, 21 s takes in-b too, 3600 s all.
  q.service_level_seconds = 0;
  s = t.Stats(q);
  REQUIRE(s.ok());
  CHECK(s->total.service_level == 0.0);
  q.service_level_seconds = 21;
  s = t.Stats(q);
  REQUIRE(s.ok());
  CHECK(s->by_direction.at("kiruvchi").service_level == 3.0 / 6);
  q.service_level_seconds = 3600;
  s = t.Stats(q);
  REQUIRE(s.ok());
  CHECK(s->total.service_level == 5.0 / 9);

  // A period without calls: zeros, and nothing to divide by.
  q.period = Period(t0 - 30 * kDay, t0 - 29 * kDay);
  s = t.Stats(q);
  REQUIRE(s.ok());
  CHECK(s->total == CallFigures{});
  CHECK(s->by_direction.at("kiruvchi") == CallFigures{});
  CHECK(s->by_direction.at("chiquvchi") == CallFigures{});
  CHECK_FALSE(s->total.abandon_rate.has_value());
  CHECK_FALSE(s->total.avg_ring_seconds.has_value());
  CHECK_FALSE(s->total.service_level.has_value());

  // Only outbound calls: the inbound figures are zeros, not missing.
  q.period = Period(t1 - 1, t1);
  s = t.Stats(q);
  REQUIRE(s.ok());
  CHECK(s->total.offered == 1);
  CHECK(s->by_direction.at("chiquvchi").offered == 1);
  CHECK(s->by_direction.at("kiruvchi") == CallFigures{});

  // Bad values.
  q.period = Period(t0, t1);
  q.service_level_seconds = -1;
  CHECK(IsInvalid(t.Stats(q).status(), "service_level_seconds"));
  q.service_level_seconds = 3601;
  CHECK(IsInvalid(t.Stats(q).status(), "service_level_seconds"));
  q.service_level_seconds = 20;
  q.period = Period(t1, t1);
  CHECK(IsInvalid(t.Stats(q).status(), "until"));
  q.period = Period(t1, t0);
  CHECK(IsInvalid(t.Stats(q).status(), "until"));
  q.period = Period(t0, std::numeric_limits<std::int64_t>::max());
  CHECK(IsInvalid(t.Stats(q).status(), "until"));
}

}  // namespace
}  // namespace callledger
