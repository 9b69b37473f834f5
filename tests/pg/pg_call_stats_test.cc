// The supervisor figures (core/call_stats.h) on a real PostgreSQL
// (CALL_LEDGER_TEST_PG): QueryStats against figures recomputed here from the
// captures' oracles (expected.json, written without any of our code). Every
// definition's edge on hand-made rows: pg_call_stats_edges_test.cc; missed
// calls: pg_missed_calls_test.cc; periods, hostile input and the
// PgCallLogReader's guard: pg_stats_periods_test.cc.
#include "pg/pg_call_stats.h"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "pg/pg_call_log_reader.h"
#include "replay/fixture.h"
#include "stats_tables.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

namespace json = boost::json;
using testing::At;
using testing::kHour;
using testing::kSecond;
using testing::Period;
using testing::Table;

void CheckSame(const CallStats& a, const CallStats& b) {
  CHECK(a.since_us == b.since_us);
  CHECK(a.until_us == b.until_us);
  CHECK(a.service_level_seconds == b.service_level_seconds);
  CHECK(a.total == b.total);
  CHECK(a.by_direction == b.by_direction);
  CHECK(a.by_node == b.by_node);
}

// ---------------------------------------------------------------------------
// (1) Real captured traffic against the oracles.

// What the driver says a call was (expected.json), times in UTC µs.
struct OracleCall {
  std::string direction;
  std::string from_number;
  bool answered = false;
  bool finished = false;
  std::int64_t start_us = 0;
  std::int64_t answer_us = 0;
  std::int64_t end_us = 0;
};

std::vector<OracleCall> OracleCalls() {
  std::vector<OracleCall> out;
  for (const auto& stream : testing::CapturedStreams()) {
    const std::string name = stream.filename().string();
    if (!name.ends_with(".observer.jsonl")) continue;
    const std::string scenario = name.substr(0, name.find('.'));
    const json::value oracle =
        json::parse(testing::ReadFile(testing::CaptureDir() / (scenario + ".expected.json")));
    for (const auto& cv : oracle.at("calls").as_array()) {
      OracleCall c;
      c.direction = std::string(cv.at("direction").as_string());
      c.from_number = std::string(cv.at("from_number").as_string());
      c.answered = cv.at("answered").as_bool();
      c.finished = cv.at("final_status").as_string() == "yakunlandi";
      c.start_us = At(std::string(cv.at("start_time").as_string()));
      if (c.answered) c.answer_us = At(std::string(cv.at("answer_time").as_string()));
      c.end_us = At(std::string(cv.at("end_time").as_string()));
      out.push_back(c);
    }
  }
  return out;
}

// The figures of `calls`, from the definitions, in floating point seconds.
struct Expected {
  std::int64_t offered = 0, answered = 0, abandoned = 0, within = 0;
  double ring_sum = 0, talk_sum = 0;
  std::int64_t talk_n = 0;
};

Expected Recompute(const std::vector<OracleCall>& calls, const std::string& direction, int n) {
  Expected e;
  for (const auto& c : calls) {
    if (!direction.empty() && c.direction != direction) continue;
    ++e.offered;
    if (!c.answered) {
      if (c.direction == "kiruvchi" && c.finished) ++e.abandoned;
      continue;
    }
    ++e.answered;
    const double ring = static_cast<double>(c.answer_us - c.start_us) / kSecond;
    e.ring_sum += ring;
    if (ring <= n) ++e.within;
    if (c.finished) {
      e.talk_sum += static_cast<double>(c.end_us - c.answer_us) / kSecond;
      ++e.talk_n;
    }
  }
  return e;
}

void CheckAgainst(const CallFigures& f, const Expected& e) {
  CHECK(f.offered == e.offered);
  CHECK(f.answered == e.answered);
  CHECK(f.abandoned == e.abandoned);
  REQUIRE(e.offered > 0);
  REQUIRE(f.abandon_rate.has_value());
  CHECK(*f.abandon_rate == Approx(double(e.abandoned) / double(e.offered)));
  REQUIRE(f.service_level.has_value());
  CHECK(*f.service_level == Approx(double(e.within) / double(e.offered)));
  REQUIRE(e.answered > 0);
  REQUIRE(f.avg_ring_seconds.has_value());
  REQUIRE(f.avg_talk_seconds.has_value());
  // The projection's start is the channel's creation (1-4 ms before the
  // oracle's StasisStart) and its answer the bridging with an answered party
  // (a few ms after the oracle's Up): docs/projection.md, "Known limits".
  CHECK(std::abs(*f.avg_ring_seconds - e.ring_sum / double(e.answered)) <= 0.1);
  CHECK(std::abs(*f.avg_talk_seconds - e.talk_sum / double(e.talk_n)) <= 0.1);
}

TEST_CASE("stats of every captured call match the oracles' figures", "[pg]") {
  std::vector<CallRow> rows;
  for (const auto& stream : testing::CapturedStreams()) {
    if (!stream.filename().string().ends_with(".observer.jsonl")) continue;
    replay::FixtureOptions opts;
    opts.node = "pbx-a";
    auto result = replay::RunFixture(stream, opts);
    REQUIRE(result.ok());
    rows.insert(rows.end(), result->rows.begin(), result->rows.end());
  }
  const auto oracle = OracleCalls();
  REQUIRE(oracle.size() == 18);
  REQUIRE(rows.size() == oracle.size());
  Table t(rows);

  std::int64_t first = oracle.front().start_us, last = oracle.front().end_us;
  for (const auto& c : oracle) {
    first = std::min(first, c.start_us);
    last = std::max(last, c.end_us);
  }
  StatsQuery q;
  q.period = Period(first - kHour, last + kHour);
  // Thresholds far (>= 0.2 s) from every oracle ring time, so that the few
  // ms between oracle and projection cannot move a call across one.
  for (int n : {0, 3, 4, 10, 20}) {
    INFO("service_level_seconds " << n);
    for (const auto& c : oracle) {
      if (c.answered) REQUIRE(std::abs(double(c.answer_us - c.start_us) / kSecond - n) >= 0.2);
    }
    q.service_level_seconds = n;
    auto stats = t.Stats(q);
    REQUIRE(stats.ok());
    CHECK(stats->since_us == first - kHour);
    CHECK(stats->until_us == last + kHour);
    CHECK(stats->service_level_seconds == n);
    CheckAgainst(stats->total, Recompute(oracle, "", n));
    REQUIRE(stats->by_direction.size() == 2);
    for (const std::string d : {"kiruvchi", "chiquvchi"}) {
      INFO(d);
      CheckAgainst(stats->by_direction.at(d), Recompute(oracle, d, n));
    }
  }
  // The same through the reader (its guard and read-only transaction).
  pg::PgCallLogReader reader(t.db().dsn());
  q.service_level_seconds = 3;
  auto direct = t.Stats(q);
  auto guarded = reader.Stats(q);
  REQUIRE(direct.ok());
  REQUIRE(guarded.ok());
  CheckSame(*guarded, *direct);

  // The missed calls are the oracle's inbound calls never answered (b), and
  // no captured call ever called that number again.
  MissedQuery mq;
  mq.period = q.period;
  auto missed = reader.Missed(mq);
  REQUIRE(missed.ok());
  std::vector<OracleCall> want;
  for (const auto& c : oracle) {
    if (c.direction == "kiruvchi" && !c.answered) want.push_back(c);
  }
  REQUIRE(missed->items.size() == want.size());
  REQUIRE(want.size() == 1);
  const MissedCall& m = missed->items[0];
  CHECK(m.call.from_number == want[0].from_number);
  CHECK(std::llabs(m.call.start_us - want[0].start_us) <= 5000);
  CHECK_FALSE(m.callback.has_value());
  CHECK_FALSE(m.answered_later.has_value());
  CHECK_FALSE(m.resolved);
}

}  // namespace
}  // namespace callledger
