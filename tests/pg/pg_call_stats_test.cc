// The supervisor figures (core/call_stats.h) on a real PostgreSQL
// (CALL_LEDGER_TEST_PG): QueryStats against figures recomputed here from the
// captures' oracles (expected.json, written without any of our code), every
// definition's edge on hand-made rows, missed calls and their follow-ups,
// periods in time zones, hostile input, and the PgCallLogReader's guard.
#include "pg/pg_call_stats.h"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "core/utc_time.h"
#include "pg/pg_call_log_reader.h"
#include "pg/pg_call_log_store.h"
#include "pg/pg_row_codec.h"
#include "replay/fixture.h"
#include "support/call_rows.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"

namespace callledger {
namespace {

namespace json = boost::json;
using testing::Call;
using testing::TestDatabase;

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

std::int64_t At(const std::string& text) {
  const auto t = ParseIsoTimestamp(text);
  REQUIRE(t.has_value());
  return *t;
}

// A test database with the schema and `rows` (any nodes) in call_logs.
class Table {
 public:
  explicit Table(const std::vector<CallRow>& rows) {
    auto store = pg::PgCallLogStore::Open(db_.dsn());
    REQUIRE(store.ok());
    std::map<std::string, std::vector<CallRow>> by_node;
    for (const auto& r : rows) by_node[r.node].push_back(r);
    for (const auto& [node, node_rows] : by_node) {
      REQUIRE((*store)->ReplaceAll(node, node_rows, Seq{1}).ok());
    }
    REQUIRE(Count() == std::to_string(rows.size()));
  }

  Result<CallStats> Stats(const StatsQuery& q) {
    pqxx::connection conn(db_.dsn());
    pqxx::read_transaction tx(conn);
    return pg::QueryStats(tx, q);
  }
  Result<MissedList> Missed(const MissedQuery& q) {
    pqxx::connection conn(db_.dsn());
    pqxx::read_transaction tx(conn);
    return pg::QueryMissed(tx, q);
  }
  std::string Count() const { return db_.Exec("SELECT count(*) FROM call_logs"); }
  const TestDatabase& db() const { return db_; }

 private:
  TestDatabase db_;
};

StatsPeriod Period(std::int64_t since, std::int64_t until) {
  StatsPeriod p;
  p.since_us = since;
  p.until_us = until;
  return p;
}

void CheckSame(const CallStats& a, const CallStats& b) {
  CHECK(a.since_us == b.since_us);
  CHECK(a.until_us == b.until_us);
  CHECK(a.service_level_seconds == b.service_level_seconds);
  CHECK(a.total == b.total);
  CHECK(a.by_direction == b.by_direction);
}

bool IsInvalid(const Status& s, const std::string& parameter) {
  return s.code() == Code::kInvalidInput && s.message().starts_with(parameter + ": ");
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

// ---------------------------------------------------------------------------
// (3) Missed calls and what became of them.

struct MissedFixture {
  std::int64_t day = At("2026-11-21T00:00:00+0500");
  std::int64_t H(int hour, int minute = 0) const { return day + hour * kHour + minute * kMinute; }
  std::vector<CallRow> rows;
  std::map<std::string, CallRow> by_id;

  void Add(CallRow r) {
    by_id[r.call_id] = r;
    rows.push_back(std::move(r));
  }
  MissedFixture() {
    const std::string a = "pbx-a", b = "pbx-b";
    const std::string p1 = "998901111111", p2 = "998902222222", p3 = "998903333333",
                      p4 = "998904444444";
    // p1: answered by agent before it called (must not count), missed at
    // 10:00, called back unanswered at 10:05, then answered at 10:10 from
    // another node: the callback is the answered one.
    Add(Call(a, "p1-before", "chiquvchi", "101", p1, H(9), H(9) + kSecond, H(9, 1)));
    Add(Call(a, "m1", "kiruvchi", p1, "712", H(10), 0, H(10) + 10 * kSecond));
    Add(Call(a, "p1-cb1", "chiquvchi", "101", p1, H(10, 5), 0, H(10, 6)));
    Add(Call(b, "p1-cb2", "chiquvchi", "102", p1, H(10, 10), H(10, 10) + kSecond, H(10, 12)));
    // p2: answered inbound call before the missed one (does not count), one
    // callback attempt that nobody answered: open.
    Add(Call(a, "p2-earlier", "kiruvchi", p2, "712", H(10, 30), H(10, 31), H(10, 35)));
    Add(Call(a, "m2", "kiruvchi", p2, "712", H(11), 0, H(11) + 5 * kSecond));
    Add(Call(a, "p2-cb", "chiquvchi", "101", p2, H(11, 30), 0, H(11, 31)));
    // p3: missed twice, then called again and answered: both resolved by it.
    Add(Call(a, "m3", "kiruvchi", p3, "712", H(12), 0, H(12) + 5 * kSecond));
    Add(Call(a, "m4", "kiruvchi", p3, "712", H(12, 30), 0, H(12, 30) + 5 * kSecond));
    Add(Call(b, "p3-again", "kiruvchi", p3, "712", H(13), H(13) + 3 * kSecond, H(13, 5)));
    // p4: only other numbers were called back or called again; and p4
    // itself calling out is not a callback.
    Add(Call(a, "m5", "kiruvchi", p4, "712", H(14), 0, H(14) + 5 * kSecond));
    Add(Call(a, "other-cb", "chiquvchi", "101", "998905555555", H(14, 5), H(14, 6), H(14, 7)));
    Add(Call(a, "p4-prefix", "kiruvchi", "99890444444", "712", H(14, 8), H(14, 9), H(14, 10)));
    Add(Call(a, "p4-out", "chiquvchi", p4, "998905555555", H(14, 9), H(14, 10), H(14, 11)));
    // Hostile numbers: quotes and LIKE wildcards are plain characters.
    const std::string quoted = "99890' OR '1'='1";
    Add(Call(a, "m6", "kiruvchi", quoted, "712", H(15), 0, H(15) + kSecond));
    Add(Call(a, "quoted-cb", "chiquvchi", "101", quoted, H(15, 10), H(15, 11), H(15, 12)));
    Add(Call(a, "m8", "kiruvchi", "99890%", "712", H(15, 30), 0, H(15, 31)));
    Add(Call(a, "wild-cb", "chiquvchi", "101", "998906666666", H(15, 40), H(15, 41), H(15, 42)));
    // Not missed: live and ringing, answered, outbound, NULL direction.
    Add(Call(a, "ringing", "kiruvchi", "998907777777", "712", H(16), 0, 0));
    Add(Call(a, "answered", "kiruvchi", "998907777778", "712", H(16, 30), H(16, 31), H(16, 32)));
    Add(Call(a, "out-unanswered", "chiquvchi", "101", "998907777779", H(17), 0, H(17, 1)));
    Add(Call(a, "null-dir", "", "998907777780", "712", H(17, 30), 0, H(17, 31)));
    // Anonymous: no number, so nothing can follow it up, not even a call to
    // no number.
    Add(Call(a, "m-anon", "kiruvchi", "", "712", H(18), 0, H(18, 1)));
    Add(Call(a, "out-nonumber", "chiquvchi", "101", "", H(18, 10), H(18, 11), H(18, 12)));
    // Two missed calls at the same microsecond: call_id breaks the tie.
    Add(Call(a, "m7-a", "kiruvchi", "998908888888", "712", H(19), 0, H(19, 1)));
    Add(Call(b, "m7-b", "kiruvchi", "998908888889", "712", H(19), 0, H(19, 1)));
    // Outside the period (the day before, and the next day).
    Add(Call(a, "m-yesterday", "kiruvchi", "998909999999", "712", day - kHour, 0, day - kMinute));
    Add(Call(a, "m-tomorrow", "kiruvchi", "998909999999", "712", day + kDay, 0, day + kDay + 1));
  }
};

std::vector<std::string> Ids(const MissedList& list) {
  std::vector<std::string> out;
  for (const auto& m : list.items) out.push_back(m.call.call_id);
  return out;
}

FollowUp Follow(const CallRow& r) { return FollowUp{r.call_id, r.node, r.start_us, r.answered}; }

TEST_CASE("missed calls: callbacks, calls answered later, only_open, limit", "[pg]") {
  const MissedFixture f;
  Table t(f.rows);
  MissedQuery q;
  q.period = Period(f.day, f.day + kDay);
  auto all = t.Missed(q);
  REQUIRE(all.ok());
  CHECK(all->since_us == f.day);
  CHECK(all->until_us == f.day + kDay);
  CHECK(Ids(*all) == std::vector<std::string>{"m7-b", "m7-a", "m-anon", "m8", "m6", "m5", "m4",
                                              "m3", "m2", "m1"});
  std::map<std::string, const MissedCall*> got;
  for (const auto& m : all->items) {
    got[m.call.call_id] = &m;
    INFO(m.call.call_id);
    CHECK(m.call == f.by_id.at(m.call.call_id));  // the whole row, as stored
  }
  const auto& by_id = f.by_id;
  // m1: the first answered callback, not the earlier attempt, not the call
  // before the missed one.
  CHECK(got["m1"]->callback == Follow(by_id.at("p1-cb2")));
  CHECK(got["m1"]->callback->answered);
  CHECK_FALSE(got["m1"]->answered_later.has_value());
  CHECK(got["m1"]->resolved);
  // m2: an unanswered attempt is shown, and the call stays open.
  CHECK(got["m2"]->callback == Follow(by_id.at("p2-cb")));
  CHECK_FALSE(got["m2"]->callback->answered);
  CHECK_FALSE(got["m2"]->answered_later.has_value());
  CHECK_FALSE(got["m2"]->resolved);
  // m3, m4: called again and answered (on another node). m4 is itself a
  // later call from p3, but not an answered one.
  for (const char* id : {"m3", "m4"}) {
    INFO(id);
    CHECK_FALSE(got[id]->callback.has_value());
    CHECK(got[id]->answered_later == Follow(by_id.at("p3-again")));
    CHECK(got[id]->resolved);
  }
  for (const char* id : {"m5", "m8", "m-anon", "m7-a", "m7-b"}) {
    INFO(id);
    CHECK_FALSE(got[id]->callback.has_value());
    CHECK_FALSE(got[id]->answered_later.has_value());
    CHECK_FALSE(got[id]->resolved);
  }
  CHECK(got["m6"]->callback == Follow(by_id.at("quoted-cb")));
  CHECK(got["m6"]->resolved);

  // only_open filters before the limit.
  q.only_open = true;
  auto open = t.Missed(q);
  REQUIRE(open.ok());
  CHECK(Ids(*open) == std::vector<std::string>{"m7-b", "m7-a", "m-anon", "m8", "m5", "m2"});
  for (const auto& m : open->items) {
    INFO(m.call.call_id);
    CHECK(m.callback == got[m.call.call_id]->callback);  // m2's unanswered attempt
    CHECK(m.answered_later == got[m.call.call_id]->answered_later);
    CHECK_FALSE(m.resolved);
  }
  q.limit = 5;
  open = t.Missed(q);
  REQUIRE(open.ok());
  CHECK(Ids(*open) == std::vector<std::string>{"m7-b", "m7-a", "m-anon", "m8", "m5"});
  q.only_open = false;
  q.limit = 3;
  auto first = t.Missed(q);
  REQUIRE(first.ok());
  CHECK(Ids(*first) == std::vector<std::string>{"m7-b", "m7-a", "m-anon"});
  q.limit = 1;
  first = t.Missed(q);
  REQUIRE(first.ok());
  CHECK(Ids(*first) == std::vector<std::string>{"m7-b"});

  // The period selects the missed calls (not their follow-ups).
  q.period = Period(f.day - kDay, f.day);
  q.limit = 100;
  auto yesterday = t.Missed(q);
  REQUIRE(yesterday.ok());
  CHECK(Ids(*yesterday) == std::vector<std::string>{"m-yesterday"});

  // Bad limits.
  q.limit = 0;
  CHECK(IsInvalid(t.Missed(q).status(), "limit"));
  q.limit = 1001;
  CHECK(IsInvalid(t.Missed(q).status(), "limit"));
  q.limit = 1000;
  CHECK(t.Missed(q).ok());

  // Through the reader: the same answer.
  pg::PgCallLogReader reader(t.db().dsn());
  q.period = Period(f.day, f.day + kDay);
  q.only_open = true;
  q.limit = 100;
  auto guarded = reader.Missed(q);
  auto direct = t.Missed(q);
  REQUIRE(guarded.ok());
  REQUIRE(direct.ok());
  CHECK(Ids(*guarded) == std::vector<std::string>{"m7-b", "m7-a", "m-anon", "m8", "m5", "m2"});
  REQUIRE(guarded->items.size() == direct->items.size());
  for (std::size_t i = 0; i < direct->items.size(); ++i) {
    CHECK(guarded->items[i].call == direct->items[i].call);
    CHECK(guarded->items[i].callback == direct->items[i].callback);
    CHECK(guarded->items[i].answered_later == direct->items[i].answered_later);
  }
}

TEST_CASE("missed: a follow-up after the period's end resolves the call", "[pg]") {
  const std::int64_t day = At("2026-11-22T00:00:00+0500");
  const std::vector<CallRow> rows = {
      Call("pbx-a", "late", "kiruvchi", "998901", "712", day + 23 * kHour + 59 * kMinute, 0,
           day + kDay - 1),
      Call("pbx-a", "next-day-cb", "chiquvchi", "101", "998901", day + kDay + kHour,
           day + kDay + kHour + kSecond, day + kDay + 2 * kHour),
  };
  Table t(rows);
  MissedQuery q;
  q.period = Period(day, day + kDay);
  auto list = t.Missed(q);
  REQUIRE(list.ok());
  REQUIRE(list->items.size() == 1);
  CHECK(list->items[0].callback == FollowUp{"next-day-cb", "pbx-a", day + kDay + kHour, true});
  CHECK(list->items[0].resolved);
  q.only_open = true;
  list = t.Missed(q);
  REQUIRE(list.ok());
  CHECK(list->items.empty());
}

// ---------------------------------------------------------------------------
// (4) Periods: the PBX's day in its zone.

// now() of the transaction, in UTC µs, read the way the store reads times.
std::int64_t Now(pqxx::transaction_base& tx) {
  const auto now = pg::ParseTimestamp(tx.exec1("SELECT " + pg::TimeSql("now()"))[0].c_str());
  REQUIRE(now.has_value());
  return *now;
}

TEST_CASE("periods: the day in a zone, one bound given, bad zones", "[pg]") {
  TestDatabase db;
  pqxx::connection conn(db.dsn());
  pqxx::read_transaction tx(conn);
  const std::int64_t now = Now(tx);

  StatsPeriod p;
  p.zone = "UTC";
  auto utc = pg::ResolvePeriod(tx, p);
  REQUIRE(utc.ok());
  CHECK(utc->first == now - now % kDay);
  CHECK(utc->second == utc->first + kDay);

  // Tashkent is UTC+5 all year (no DST since 1992): its midnight is 19:00 UTC.
  p.zone = "Asia/Tashkent";
  auto tashkent = pg::ResolvePeriod(tx, p);
  REQUIRE(tashkent.ok());
  const std::int64_t local = now + 5 * kHour;
  CHECK(tashkent->first == local - local % kDay - 5 * kHour);
  CHECK(tashkent->second == tashkent->first + kDay);
  CHECK(tashkent->first <= now);
  CHECK(now < tashkent->second);

  // One bound given: the other from today.
  p.since_us = tashkent->first - 3 * kDay + 1;
  auto since_only = pg::ResolvePeriod(tx, p);
  REQUIRE(since_only.ok());
  CHECK(*since_only == std::pair{tashkent->first - 3 * kDay + 1, tashkent->second});
  p.since_us.reset();
  p.until_us = tashkent->second + 7;
  auto until_only = pg::ResolvePeriod(tx, p);
  REQUIRE(until_only.ok());
  CHECK(*until_only == std::pair{tashkent->first, tashkent->second + 7});
  p.until_us = tashkent->first;  // today's midnight: an empty period
  CHECK(IsInvalid(pg::ResolvePeriod(tx, p).status(), "until"));

  // Both given: taken as they are, the zone is not consulted.
  p.zone = "No/Such_Zone";
  p.since_us = 5;
  p.until_us = 6;
  auto both = pg::ResolvePeriod(tx, p);
  REQUIRE(both.ok());
  CHECK(*both == std::pair<std::int64_t, std::int64_t>{5, 6});
  p.until_us = 5;
  CHECK(IsInvalid(pg::ResolvePeriod(tx, p).status(), "until"));
  p.until_us = 4;
  CHECK(IsInvalid(pg::ResolvePeriod(tx, p).status(), "until"));
  p.since_us = std::numeric_limits<std::int64_t>::min();
  CHECK(IsInvalid(pg::ResolvePeriod(tx, p).status(), "since"));

  // An unknown zone is invalid input naming "zone", and the transaction is
  // still usable afterwards (the failed statement ran under a savepoint).
  p = StatsPeriod{};
  const std::vector<std::string> bad_zones = {
      "No/Such_Zone",       "",        std::string("UTC\0junk", 8), "Mars/Olympus",
      std::string(65, 'A'), "\xff\xfe"};
  for (const std::string& zone : bad_zones) {
    p.zone = zone;
    const auto r = pg::ResolvePeriod(tx, p);
    INFO(r.status().ToString());
    CHECK(IsInvalid(r.status(), "zone"));
  }
  p.zone = "UTC";
  auto again = pg::ResolvePeriod(tx, p);
  REQUIRE(again.ok());
  CHECK(*again == *utc);
  CHECK(Now(tx) == now);  // the same transaction
  tx.commit();

  // Outside a transaction block there is no savepoint to take; still a status.
  pqxx::nontransaction nt(conn);
  p.zone = "No/Such_Zone";
  CHECK(IsInvalid(pg::ResolvePeriod(nt, p).status(), "zone"));
  p.zone = "Asia/Tashkent";
  CHECK(pg::ResolvePeriod(nt, p).ok());
}

TEST_CASE("periods: the default day through the reader", "[pg]") {
  TestDatabase db;
  auto store = pg::PgCallLogStore::Open(db.dsn());  // the schema
  REQUIRE(store.ok());
  pg::PgCallLogReader reader(db.dsn());
  StatsQuery q;
  q.period.zone = "Asia/Tashkent";
  auto s = reader.Stats(q);
  REQUIRE(s.ok());
  CHECK(s->until_us - s->since_us == kDay);
  CHECK((s->since_us + 5 * kHour) % kDay == 0);
  CHECK(s->service_level_seconds == 20);
  MissedQuery mq;
  mq.period.zone = "Asia/Tashkent";
  auto m = reader.Missed(mq);
  REQUIRE(m.ok());
  CHECK(m->since_us == s->since_us);
  CHECK(m->until_us == s->until_us);
  q.period.zone = "Nowhere/Atlantis";
  CHECK(IsInvalid(reader.Stats(q).status(), "zone"));
  // The reader's connection survives a refused zone.
  q.period.zone = "UTC";
  CHECK(reader.Stats(q).ok());
}

// ---------------------------------------------------------------------------
// (5) Hostile input changes nothing; database errors go through the guard.

TEST_CASE("hostile zone strings are refused and change nothing", "[pg]") {
  const MissedFixture f;
  Table t(f.rows);
  const std::string count = t.Count();
  pg::PgCallLogReader reader(t.db().dsn());
  for (const std::string zone :
       {"UTC'; DROP TABLE call_logs; --", "Asia/Tashkent') AT TIME ZONE ('UTC",
        "UTC$$; DELETE FROM call_logs; $$", "UTC\"; DELETE FROM call_logs; --"}) {
    INFO(zone);
    StatsQuery q;
    q.period.zone = zone;
    CHECK(IsInvalid(reader.Stats(q).status(), "zone"));
    MissedQuery mq;
    mq.period.zone = zone;
    CHECK(IsInvalid(reader.Missed(mq).status(), "zone"));
    CHECK(IsInvalid(t.Stats(q).status(), "zone"));
  }
  CHECK(t.Count() == count);
  CHECK(t.db().Exec("SELECT count(*) FROM call_logs WHERE from_number = '99890'' OR ''1''=''1'") ==
        "1");
}

TEST_CASE("database errors come back as statuses through the reader's guard", "[pg]") {
  TestDatabase db;  // no schema: call_logs does not exist
  pg::PgCallLogReader reader(db.dsn());
  StatsQuery q;
  q.period = Period(0, kDay);
  // Which code a missing table gets is the guard's policy
  // (pg/pg_row_codec.h); here it matters that the exception became a status
  // that is not blamed on the caller's input.
  const auto s = reader.Stats(q);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() != Code::kInvalidInput);
  CHECK(s.status().message().find("42P01") != std::string::npos);
  MissedQuery mq;
  mq.period = Period(0, kDay);
  const auto m = reader.Missed(mq);
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == s.status().code());
  CHECK(m.status().message().find("42P01") != std::string::npos);
  // Input errors are decided before any SQL runs.
  mq.limit = 0;
  CHECK(IsInvalid(reader.Missed(mq).status(), "limit"));

  pg::PgCallLogReader unreachable("host=/nonexistent-dir port=1 dbname=x connect_timeout=1");
  CHECK(unreachable.Stats(q).status().code() == Code::kUnavailable);
}

}  // namespace
}  // namespace callledger
