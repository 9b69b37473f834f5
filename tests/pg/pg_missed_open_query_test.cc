// GET /api/missed?open=true reads missed_open (pg/pg_missed_open.h): on a
// real PostgreSQL (CALL_LEDGER_TEST_PG), pg::QueryMissed with only_open
// answers as the query of every missed call it replaced did, item for item,
// in the same order, for many periods and limits over random batches of two
// nodes (pg/missed_open_model.h).
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "missed_open_model.h"
#include "pg/pg_call_stats.h"
#include "pg/pg_row_codec.h"
#include "pg_store_checks.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"

namespace callledger {
namespace {

using testing::Call;
using testing::kDay;
using testing::kIn;
using testing::kMinute;
using testing::kOut;
using testing::kSecond;
using testing::kT0;
using testing::Mismatch;
using testing::Model;
using testing::OpenStore;
using testing::RandomBatch;
using testing::Scenario;
using testing::TestDatabase;
using testing::Upsert;

// ---------------------------------------------------------------------------
// GET /api/missed?open=true from missed_open against the query it replaced.

// The query of every missed call with its follow-ups, as it was before
// missed_open (pg_call_stats.cc at 5d615ef, only_open = true): the
// reference for the items, their order and their follow-up fields.
std::string ReferenceOpenSql() {
  const auto follow_up = [](const std::string& alias, const std::string& where) {
    return " LEFT JOIN LATERAL (SELECT c.call_id, c.node, c.start_time, c.answered"
           " FROM call_logs c WHERE " +
           where +
           " AND c.start_time > m.start_time"
           " ORDER BY c.start_time, c.call_id COLLATE \"C\", c.node COLLATE \"C\" LIMIT 1) " +
           alias + " ON true";
  };
  const auto columns = [](const std::string& a) {
    return ", " + a + ".call_id, " + a + ".node, " + pg::TimeSql(a + ".start_time") + ", " + a +
           ".answered";
  };
  return "SELECT * FROM (SELECT " + pg::SelectList("m.") + columns("cb_ok") + columns("cb_no") +
         columns("al") +
         ", (cb_ok.call_id IS NOT NULL OR al.call_id IS NOT NULL) AS resolved"
         " FROM call_logs m" +
         follow_up("cb_ok",
                   "c.direction = 'chiquvchi' AND c.to_number = m.from_number AND c.answered") +
         follow_up("cb_no",
                   "cb_ok.call_id IS NULL AND c.direction = 'chiquvchi'"
                   " AND c.to_number = m.from_number AND NOT c.answered") +
         follow_up("al",
                   "cb_ok.call_id IS NULL AND c.direction = 'kiruvchi'"
                   " AND c.from_number = m.from_number AND c.answered") +
         " WHERE m.direction = 'kiruvchi' AND NOT m.answered AND m.status = 'yakunlandi'"
         " AND m.start_time >= " +
         pg::TimeParam(1) + " AND m.start_time < " + pg::TimeParam(2) +
         " ORDER BY m.start_time DESC, m.call_id COLLATE \"C\" DESC, m.node COLLATE \"C\" DESC"
         " OFFSET 0) x WHERE NOT x.resolved LIMIT $3";
}

std::vector<std::string> Describe(const MissedList& list) {
  std::vector<std::string> out;
  const auto follow = [](const std::optional<FollowUp>& f) {
    return f ? f->node + "/" + f->call_id + "@" + std::to_string(f->start_us) +
                   (f->answered ? "+" : "-")
             : std::string("none");
  };
  for (const MissedCall& m : list.items) {
    out.push_back(m.call.node + "/" + m.call.call_id + " from=" + m.call.from_number +
                  " start=" + std::to_string(m.call.start_us) + " callback=" + follow(m.callback) +
                  " later=" + follow(m.answered_later) + (m.resolved ? " resolved" : " open"));
  }
  return out;
}

std::vector<std::string> Reference(pqxx::transaction_base& tx, std::int64_t since,
                                   std::int64_t until, int limit) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_params(ReferenceOpenSql(), since, until, limit)) {
    auto call = pg::ReadRow(row);
    REQUIRE(call.ok());
    MissedCall m;
    m.call = *call;
    constexpr int kFirst = static_cast<int>(pg::kColumns.size());
    const auto read = [&](int first) -> std::optional<FollowUp> {
      if (row[first].is_null()) return std::nullopt;
      const auto start = pg::ParseTimestamp(row[first + 2].c_str());
      REQUIRE(start.has_value());
      return FollowUp{row[first].as<std::string>(), row[first + 1].as<std::string>(), *start,
                      row[first + 3].as<bool>()};
    };
    m.callback = read(kFirst) ? read(kFirst) : read(kFirst + 4);
    m.answered_later = read(kFirst + 8);
    m.resolved = row[kFirst + 12].as<bool>();
    MissedList one;
    one.items.push_back(m);
    out.push_back(Describe(one)[0]);
  }
  return out;
}

TEST_CASE("missed?open=true from missed_open answers as the query of every missed call", "[pg]") {
  TestDatabase db;
  auto a = OpenStore(db);
  auto b = OpenStore(db);
  Scenario s(7);
  Model model;
  std::map<std::string, std::uint64_t> seq;
  // Batches as the projector writes them, on two nodes.
  for (int step = 0; step < 120; ++step) {
    const std::string node = step % 2 ? "pbx-a" : "pbx-b";
    const std::vector<RowChange> batch = RandomBatch(s, model, node, s.Uniform(1, 30));
    REQUIRE((node == "pbx-a" ? *a : *b)
                .ApplyBatch(node, Seq{seq[node]}, Seq{seq[node] + 1}, batch)
                .ok());
    ++seq[node];
    model.Apply(batch);
  }
  REQUIRE(Mismatch(db, model.Rows()) == "");
  // Also an anonymous missed call, one without a start time, and numbers
  // of their own: open calls with callback attempts (the first one shows),
  // calls resolved by a callback after an attempt, and the same call_id and
  // start time on both nodes (ties in node order).
  std::vector<RowChange> extra_a = {
      Upsert(Call("pbx-a", "anon", kIn, "", "712", kT0 + 7 * kMinute, 0, kT0 + 8 * kMinute)),
      Upsert(Call("pbx-a", "timeless", kIn, "998901", "712", 0, 0, kT0))};
  std::vector<RowChange> extra_b;
  for (int k = 0; k < 40; ++k) {
    const std::string number = "99893" + std::to_string(100 + k);
    const std::int64_t t = kT0 + k * kMinute;
    const std::string id = "own-" + std::to_string(k);
    auto& mine = k % 2 ? extra_a : extra_b;
    auto& other = k % 2 ? extra_b : extra_a;
    const std::string node = k % 2 ? "pbx-a" : "pbx-b";
    const std::string other_node = k % 2 ? "pbx-b" : "pbx-a";
    mine.push_back(Upsert(Call(node, id, kIn, number, "712", t, 0, t + kSecond)));
    if (k % 4 == 0) other.push_back(Upsert(Call(other_node, id, kIn, number, "712", t, 0, t + 1)));
    if (k % 3 != 0) {
      other.push_back(Upsert(Call(other_node, id + "-try1", kOut, "101", number, t + 2 * kMinute, 0,
                                  t + 3 * kMinute)));
      other.push_back(Upsert(Call(other_node, id + "-try2", kOut, "101", number, t + 4 * kMinute, 0,
                                  t + 5 * kMinute)));
    }
    if (k % 5 == 0) {
      other.push_back(Upsert(Call(other_node, id + "-cb", kOut, "101", number, t + 6 * kMinute,
                                  t + 6 * kMinute + kSecond, t + 7 * kMinute)));
    }
  }
  std::vector<RowChange> extra = extra_a;
  REQUIRE(a->ApplyBatch("pbx-a", Seq{seq["pbx-a"]}, Seq{seq["pbx-a"] + 1}, extra_a).ok());
  REQUIRE(b->ApplyBatch("pbx-b", Seq{seq["pbx-b"]}, Seq{seq["pbx-b"] + 1}, extra_b).ok());
  extra.insert(extra.end(), extra_b.begin(), extra_b.end());
  model.Apply(extra);
  REQUIRE(Mismatch(db, model.Rows()) == "");
  std::map<std::pair<std::string, std::string>, CallRow> by_key;
  for (const CallRow& r : model.Rows()) by_key[{r.node, r.call_id}] = r;

  pqxx::connection conn(db.dsn());
  pqxx::read_transaction tx(conn);
  const std::vector<std::pair<std::int64_t, std::int64_t>> periods = {
      {kT0 - kDay, kT0 + kDay},                    // everything
      {kT0 + 30 * kMinute, kT0 + 90 * kMinute},    // part of it
      {kT0 + 7 * kMinute, kT0 + 7 * kMinute + 1},  // one instant
      {kT0 + 2 * kDay, kT0 + 3 * kDay}};           // nothing
  std::size_t compared = 0, attempts = 0;
  for (const auto& [since, until] : periods) {
    for (int limit : {1, 3, 10, 100, 1000}) {
      CAPTURE(since, until, limit);
      MissedQuery q;
      q.period.since_us = since;
      q.period.until_us = until;
      q.only_open = true;
      q.limit = limit;
      auto got = pg::QueryMissed(tx, q);
      REQUIRE(got.ok());
      const std::vector<std::string> want = Reference(tx, since, until, limit);
      CHECK(Describe(*got) == want);
      // Whole rows too, not only the fields described.
      for (const MissedCall& m : got->items) {
        CHECK(m.call == by_key.at({m.call.node, m.call.call_id}));
        if (m.callback) ++attempts;
      }
      compared += want.size();
    }
  }
  // Enough to mean something, some of them with a callback attempt.
  CHECK(compared > 100);
  CHECK(attempts > 10);
}

}  // namespace
}  // namespace callledger
