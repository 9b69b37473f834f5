// missed_open (pg/pg_missed_open.h) on a real PostgreSQL
// (CALL_LEDGER_TEST_PG): after every ApplyBatch and ReplaceAll the table
// equals both the plain SQL definition over call_logs and a computation here
// from the rows written (pg/missed_open_model.h); two nodes writing a
// number's missed calls and its callbacks at once keep it right; migration 4
// fills it. GET /api/missed?open=true, which reads it:
// pg_missed_open_query_test.cc.
#include "pg/pg_missed_open.h"

#include <barrier>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "missed_open_model.h"
#include "pg/migrations.h"
#include "pg/pg_call_log_store.h"
#include "pg/pg_row_codec.h"
#include "pg_store_checks.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"

namespace callledger {
namespace {

using pg::PgCallLogStore;
using testing::Call;
using testing::Delete;
using testing::Entries;
using testing::Entry;
using testing::kIn;
using testing::kMinute;
using testing::kOut;
using testing::kSecond;
using testing::kT0;
using testing::Mismatch;
using testing::Model;
using testing::OpenStore;
using testing::RandomBatch;
using testing::ReadEntries;
using testing::Scenario;
using testing::TestDatabase;
using testing::Upsert;

TEST_CASE("missed_open equals its definition after every batch and rebuild of two nodes", "[pg]") {
  TestDatabase db;
  // A low staging threshold sends every batch over 8 rows through COPY.
  pg::PgOptions copy_early;
  copy_early.staging_threshold = 8;
  auto a = OpenStore(db);
  auto b = OpenStore(db, copy_early);
  const std::vector<std::pair<std::string, PgCallLogStore*>> nodes = {{"pbx-a", a.get()},
                                                                      {"pbx-b", b.get()}};
  std::map<std::string, std::uint64_t> seq;
  Scenario s(20261126);
  Model model;
  constexpr std::size_t kSizes[] = {1, 1, 2, 3, 5, 9, 20, 45, 120};
  for (int step = 0; step < 160; ++step) {
    CAPTURE(step);
    const auto& [node, store] = nodes[s.Uniform(0, 1)];
    if (step % 40 == 39) {
      // A rebuild of the node from its rows, some of them changed.
      std::vector<CallRow> rows = model.RowsOf(node);
      for (CallRow& r : rows) {
        if (s.Chance(0.2)) r = s.Mutate(r);
      }
      if (!rows.empty()) rows.pop_back();
      REQUIRE(store->ReplaceAll(node, rows, Seq{seq[node] + 1}).ok());
      ++seq[node];
      model.Replace(node, rows);
    } else {
      const std::size_t size = kSizes[s.Uniform(0, std::size(kSizes) - 1)];
      const std::vector<RowChange> batch = RandomBatch(s, model, node, size);
      const Status st = store->ApplyBatch(node, Seq{seq[node]}, Seq{seq[node] + 1}, batch);
      INFO(st.ToString());
      REQUIRE(st.ok());
      ++seq[node];
      model.Apply(batch);
    }
    REQUIRE(Mismatch(db, model.Rows()) == "");
  }
  // The test sees a wrong row: the comparison is not vacuous.
  const Entries open = ReadEntries(db, "SELECT * FROM missed_open");
  INFO(open.size() << " open missed calls at the end");
  CHECK(open.size() >= 10);
  db.Exec("INSERT INTO missed_open VALUES ('pbx-a', 'bogus', '998901', now())");
  CHECK_THAT(Mismatch(db, model.Rows()),
             Catch::Contains("in missed_open, not by the SQL definition: pbx-a|bogus|998901|"));
  // And the full recompute repairs it.
  {
    pqxx::connection conn(db.dsn());
    pqxx::work tx(conn);
    pg::RecomputeMissedOpen(tx);
    tx.commit();
  }
  CHECK(Mismatch(db, model.Rows()) == "");
  db.Exec("DELETE FROM missed_open WHERE call_id IN (SELECT call_id FROM missed_open LIMIT 1)");
  CHECK_THAT(Mismatch(db, model.Rows()), Catch::Contains("not in missed_open"));
}

TEST_CASE("missed_open: hand-made cases of each rule", "[pg]") {
  TestDatabase db;
  auto a = OpenStore(db);
  auto b = OpenStore(db);
  Model model;
  std::map<std::string, std::uint64_t> seq;
  const auto apply = [&](PgCallLogStore& store, const std::string& node,
                         const std::vector<RowChange>& batch) {
    const Status st = store.ApplyBatch(node, Seq{seq[node]}, Seq{seq[node] + 1}, batch);
    INFO(st.ToString());
    REQUIRE(st.ok());
    ++seq[node];
    model.Apply(batch);
    REQUIRE(Mismatch(db, model.Rows()) == "");
  };
  const std::int64_t t = kT0;
  const CallRow m1 = Call("a", "m1", kIn, "998901", "712", t, 0, t + kMinute);
  const CallRow m2 = Call("a", "m2", kIn, "998901", "712", t + 10 * kMinute, 0, t + 11 * kMinute);
  apply(*a, "a", {Upsert(m1), Upsert(m2)});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open").size() == 2);
  // A callback on another node between them resolves m1 only; at the same
  // start time as m2 it does not resolve m2.
  const CallRow cb =
      Call("b", "cb", kOut, "101", "998901", t + 10 * kMinute, t + 10 * kMinute + kSecond, 0);
  apply(*b, "b", {Upsert(cb)});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open") ==
        Entries{Entry("a", "m2", "998901", t + 10 * kMinute)});
  // The callback turns out unanswered (rows can change): m1 is open again.
  CallRow cb_no = cb;
  cb_no.answered = false;
  cb_no.answer_us = 0;
  apply(*b, "b", {Upsert(cb_no)});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open").size() == 2);
  // Answered again, then its number changes: m1 open again, 998902's
  // missed call before it resolved.
  const CallRow m3 = Call("a", "m3", kIn, "998902", "712", t, 0, t + kMinute);
  apply(*a, "a", {Upsert(m3)});
  apply(*b, "b", {Upsert(cb)});
  CallRow cb_other = cb;
  cb_other.to_number = "998902";
  apply(*b, "b", {Upsert(cb_other)});
  // Moved earlier than m1: m1 open; moved later: resolved again.
  CallRow cb_early = cb;
  cb_early.start_us = t - kMinute;
  apply(*b, "b", {Upsert(cb_early)});
  cb_early.start_us = t + 5 * kMinute;
  apply(*b, "b", {Upsert(cb_early)});
  // Deleted: open again. A later inbound answered call from the number
  // resolves both, live as it is.
  apply(*b, "b", {Delete("b", "cb")});
  apply(*a, "a",
        {Upsert(Call("a", "again", kIn, "998901", "712", t + 20 * kMinute,
                     t + 20 * kMinute + kSecond, 0))});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open") == Entries{Entry("a", "m3", "998902", t)});
  // A missed call that becomes answered leaves; one whose start moves
  // after the later call comes back.
  CallRow m3_later = m3;
  m3_later.start_us = t + 30 * kMinute;
  apply(*a, "a", {Upsert(m3_later)});
  CallRow m2_later = m2;
  m2_later.start_us = t + 30 * kMinute;
  apply(*a, "a", {Upsert(m2_later), Delete("a", "m1")});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open").size() == 2);
}

TEST_CASE("missed_open: two nodes writing a number's missed calls and callbacks at once", "[pg]") {
  TestDatabase db;
  auto a = OpenStore(db);
  auto b = OpenStore(db);
  // Round i: node a writes missed calls from two numbers of the round's
  // own, node b the answered callbacks to them, a minute later, in one
  // batch each and at the same moment (a barrier starts both). Without the
  // number locks each batch's statements miss the other's uncommitted row,
  // and the missed calls stay open though called back; with numbers of its
  // own no later round repairs that. The two batches name the numbers in
  // opposite orders, and the locks must not deadlock.
  constexpr int kRounds = 120;
  std::vector<std::vector<RowChange>> batches_a, batches_b;
  Entries open;
  for (int i = 0; i < kRounds; ++i) {
    const std::string p = "99890" + std::to_string(1000 + i);
    const std::string q = "99891" + std::to_string(1000 + i);
    const std::int64_t t = kT0 + i * kSecond;
    const std::string id = std::to_string(i);
    batches_a.push_back({Upsert(Call("a", "m-p" + id, kIn, p, "712", t, 0, t + kSecond)),
                         Upsert(Call("a", "m-q" + id, kIn, q, "712", t, 0, t + kSecond))});
    std::vector<RowChange> callbacks;
    if (i % 10 != 9) {
      for (const std::string& n : {q, p}) {
        callbacks.push_back(
            Upsert(Call("b", "cb-" + n, kOut, "101", n, t + kMinute, t + kMinute + kSecond, 0)));
      }
    } else {
      open.insert(Entry("a", "m-p" + id, p, t));
      open.insert(Entry("a", "m-q" + id, q, t));
      callbacks.push_back(Upsert(Call("b", "ring-" + id, kIn, "998", "712", t, 0, 0)));
    }
    batches_b.push_back(std::move(callbacks));
  }
  std::barrier round_start(2);
  Status sa, sb;
  const auto run = [&](PgCallLogStore& store, const std::string& node,
                       const std::vector<std::vector<RowChange>>& batches, Status& out) {
    for (std::size_t i = 0; i < batches.size(); ++i) {
      round_start.arrive_and_wait();
      if (out.ok()) out = store.ApplyBatch(node, Seq{i}, Seq{i + 1}, batches[i]);
    }
  };
  std::thread ta([&] { run(*a, "a", batches_a, sa); });
  std::thread tb([&] { run(*b, "b", batches_b, sb); });
  ta.join();
  tb.join();
  INFO(sa.ToString() << " / " << sb.ToString());
  REQUIRE(sa.ok());
  REQUIRE(sb.ok());
  Model model;
  for (const auto& batch : batches_a) model.Apply(batch);
  for (const auto& batch : batches_b) model.Apply(batch);
  CHECK(Mismatch(db, model.Rows()) == "");
  CHECK(ReadEntries(db, "SELECT * FROM missed_open") == open);
}

TEST_CASE("missed_open: migration 4 fills it from the rows already there", "[pg]") {
  TestDatabase db;
  std::vector<CallRow> rows;
  Scenario s(4);
  for (int i = 0; i < 300; ++i) rows.push_back(s.NewCall(i % 2 ? "a" : "b"));
  {
    // A database at version 3 with rows: the schema of an older build.
    pqxx::connection conn(db.dsn());
    pqxx::work tx(conn);
    tx.exec(
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    for (const pg::Migration& m : pg::Migrations()) {
      if (m.version > 3) break;
      tx.exec(std::string(m.sql));
      tx.exec("INSERT INTO schema_migrations (version) VALUES (" + std::to_string(m.version) + ")");
    }
    tx.exec("CREATE TABLE call_logs_a PARTITION OF call_logs FOR VALUES IN ('a')");
    tx.exec("CREATE TABLE call_logs_b PARTITION OF call_logs FOR VALUES IN ('b')");
    for (const CallRow& r : rows) {
      const auto time = [&](std::int64_t us) {
        return us == 0 ? std::string("NULL") : tx.quote(pg::FormatTimestamp(us));
      };
      const auto text = [&](const std::string& v) {
        return v.empty() ? std::string("NULL") : tx.quote(v);
      };
      tx.exec(
          "INSERT INTO call_logs (call_id, direction, from_number, to_number, start_time,"
          " status, channel_id, node, answered, end_estimated, args_ok, first_seq, last_seq,"
          " projector_version) VALUES (" +
          tx.quote(r.call_id) + ", " + text(r.direction) + ", " + text(r.from_number) + ", " +
          text(r.to_number) + ", " + time(r.start_us) + ", " +
          tx.quote(std::string(CallStatusName(r.status))) + ", " + tx.quote(r.channel_id) + ", " +
          tx.quote(r.node) + ", " + (r.answered ? "true" : "false") + ", false, true, 1, 2, 1)");
    }
    tx.commit();
  }
  auto store = OpenStore(db);
  REQUIRE(db.Exec("SELECT max(version) FROM schema_migrations") ==
          std::to_string(pg::kSchemaVersion));
  CHECK(Mismatch(db, rows) == "");
  CHECK(ReadEntries(db, "SELECT * FROM missed_open").size() >= 10);
}

}  // namespace
}  // namespace callledger
