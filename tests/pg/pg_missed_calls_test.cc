// Missed calls and what became of them (core/call_stats.h), on a real
// PostgreSQL (CALL_LEDGER_TEST_PG): callbacks, calls answered later,
// only_open, limits and periods, directly and through the PgCallLogReader,
// on a hand-made day of calls (MissedFixture, pg/stats_tables.h).
#include "pg/pg_call_stats.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "pg/pg_call_log_reader.h"
#include "stats_tables.h"
#include "support/call_rows.h"

namespace callledger {
namespace {

using testing::At;
using testing::Call;
using testing::IsInvalid;
using testing::kDay;
using testing::kHour;
using testing::kMinute;
using testing::kSecond;
using testing::MissedFixture;
using testing::Period;
using testing::Table;

// ---------------------------------------------------------------------------
// (3) Missed calls and what became of them.

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

TEST_CASE("missed: one node's calls, followed up on every node", "[pg]") {
  const MissedFixture f;
  Table t(f.rows);
  MissedQuery q;
  q.period = Period(f.day, f.day + kDay);
  q.node = "pbx-b";
  auto b = t.Missed(q);
  REQUIRE(b.ok());
  CHECK(Ids(*b) == std::vector<std::string>{"m7-b"});
  q.node = "pbx-a";
  auto a = t.Missed(q);
  REQUIRE(a.ok());
  CHECK(Ids(*a) ==
        std::vector<std::string>{"m7-a", "m-anon", "m8", "m6", "m5", "m4", "m3", "m2", "m1"});
  // pbx-a's m1 was called back, and m3 called again, from pbx-b: the
  // follow-ups still count when the list is of one node.
  std::map<std::string, const MissedCall*> got;
  for (const auto& m : a->items) got[m.call.call_id] = &m;
  CHECK(got["m1"]->callback == Follow(f.by_id.at("p1-cb2")));
  CHECK(got["m1"]->resolved);
  CHECK(got["m3"]->answered_later == Follow(f.by_id.at("p3-again")));
  CHECK(got["m3"]->resolved);

  // The open list of one node, filtered before the limit.
  q.only_open = true;
  auto open = t.Missed(q);
  REQUIRE(open.ok());
  CHECK(Ids(*open) == std::vector<std::string>{"m7-a", "m-anon", "m8", "m5", "m2"});
  q.limit = 2;
  open = t.Missed(q);
  REQUIRE(open.ok());
  CHECK(Ids(*open) == std::vector<std::string>{"m7-a", "m-anon"});
  q.node = "pbx-b";
  open = t.Missed(q);
  REQUIRE(open.ok());
  CHECK(Ids(*open) == std::vector<std::string>{"m7-b"});

  // A node without calls: nothing, not an error.
  q.node = "pbx-z";
  for (const bool only_open : {true, false}) {
    q.only_open = only_open;
    auto none = t.Missed(q);
    REQUIRE(none.ok());
    CHECK(none->items.empty());
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

}  // namespace
}  // namespace callledger
