// PgCallLogStore's rebuilds (ReplaceAll) on a real PostgreSQL
// (CALL_LEDGER_TEST_PG): the binary COPY writes what the row path writes,
// leftovers of a rebuild that died are dropped, readers see the old rows or
// the new ones and never a mix, a long reader delays the swap or makes it
// give up cleanly, and rebuilds of several nodes at once all succeed.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg/pg_call_log_store.h"
#include "pg_store_checks.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"
#include "support/store_checks.h"

namespace callledger {
namespace {

using pg::PgCallLogStore;
using testing::FullRow;
using testing::OpenStore;
using testing::RequireCheckpoint;
using testing::RequireRows;
using testing::SparseRow;
using testing::TestDatabase;
using testing::Upsert;

std::int64_t CountRows(pqxx::connection& conn, const std::string& node) {
  pqxx::nontransaction tx(conn);
  return tx.exec_params1("SELECT count(*) FROM call_logs WHERE node = $1", node)[0]
      .as<std::int64_t>();
}

TEST_CASE("pg: a rebuild's binary COPY writes what the row-by-row path writes", "[pg]") {
  // ReplaceAll sends binary COPY (pg_copy_binary.cc); ApplyBatch sends text.
  // Both must store the same values, edge cases included.
  std::vector<CallRow> rows = {FullRow("pbx", "full", 1), SparseRow("pbx", "sparse")};
  CallRow edge = FullRow("pbx", "edges", 2);
  edge.start_us = -62135596800LL * 1'000'000;  // 0001-01-01, the earliest allowed
  edge.answer_us = -1;                         // just before 1970
  edge.end_us = 253402300799999999LL;          // 9999-12-31 23:59:59.999999
  edge.duration_s = std::numeric_limits<std::int32_t>::max();
  edge.ring_s = std::numeric_limits<std::int32_t>::min();
  edge.talk_s = 0;
  edge.hangup_cause = -1;
  edge.caller_name = "tab\tnew\nline \\ back\\slash \r \"quoted\" Oʻtkir 😀";
  edge.recording_path = "\\N";  // the text format's NULL, as a value
  edge.first_seq = Seq{1};
  edge.last_seq = Seq{static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())};
  rows.push_back(edge);
  // Every evidence and end_reason (FullRow gives 1 cel and hangup, 2 ari
  // and hangup, 3 gap); live rows have none.
  CallRow restarted = FullRow("pbx", "restarted", 6);
  restarted.evidence = Evidence::kCel;
  REQUIRE(restarted.end_reason == EndReason::kPbxRestart);
  rows.push_back(restarted);
  CallRow pre2000 = FullRow("pbx", "before-2000", 3);
  pre2000.start_us = 946684799999999LL;   // 1999-12-31 23:59:59.999999
  pre2000.answer_us = 946684800000000LL;  // 2000-01-01 exactly
  rows.push_back(pre2000);

  TestDatabase db;
  auto store = OpenStore(db);
  std::vector<RowChange> text_batch;
  for (CallRow r : rows) {
    r.node = "text";
    text_batch.push_back(Upsert(r));
  }
  REQUIRE(store->ApplyBatch("text", Seq{0}, Seq{2}, text_batch).ok());
  REQUIRE(store->ReplaceAll("pbx", rows, Seq{9}).ok());
  RequireRows(*store, "pbx", rows);
  // Column for column in SQL too, past the C++ reader.
  REQUIRE(db.Exec("SELECT count(*) FROM (SELECT * FROM call_logs WHERE node = 'pbx') b "
                  "FULL JOIN (SELECT * FROM call_logs WHERE node = 'text') t USING (call_id) "
                  "WHERE (b.*) IS DISTINCT FROM (t.*)") !=
          "0");  // node differs: the check can fail
  REQUIRE(db.Exec("SELECT count(*) FROM (SELECT * FROM call_logs WHERE node = 'pbx') b "
                  "FULL JOIN (SELECT * FROM call_logs WHERE node = 'text') t USING (call_id) "
                  "WHERE (b.direction, b.from_number, b.to_number, b.start_time, b.end_time, "
                  "b.duration, b.status, b.recording_path, b.channel_id, b.caller_name, "
                  "b.answer_time, b.ring_seconds, b.talk_seconds, b.answered, b.disposition, "
                  "b.hangup_cause, b.hangup_cause_txt, b.end_estimated, b.args_ok, b.first_seq, "
                  "b.last_seq, b.projector_version, b.evidence, b.end_reason) IS DISTINCT FROM "
                  "(t.direction, t.from_number, t.to_number, t.start_time, t.end_time, "
                  "t.duration, t.status, t.recording_path, t.channel_id, t.caller_name, "
                  "t.answer_time, t.ring_seconds, t.talk_seconds, t.answered, t.disposition, "
                  "t.hangup_cause, t.hangup_cause_txt, t.end_estimated, t.args_ok, t.first_seq, "
                  "t.last_seq, t.projector_version, t.evidence, t.end_reason)") == "0");
  REQUIRE(db.Exec("SELECT to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') "
                  "FROM call_logs WHERE node = 'pbx' AND call_id = 'before-2000'") ==
          "1999-12-31 23:59:59.999999");
}

TEST_CASE("pg: a rebuild drops the tables a rebuild that died left behind", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  const std::string partition = "call_logs_n_" + db.Exec("SELECT left(md5('pbx'), 16)");
  const std::string other = "call_logs_n_" + db.Exec("SELECT left(md5('other'), 16)");
  // What a rebuild leaves when it dies between building and swapping: a
  // committed, unattached table. Another node's leftover and a table that
  // merely looks alike stay.
  db.Exec("CREATE TABLE " + partition + "_new_0123abcd (LIKE call_logs)");
  db.Exec("CREATE TABLE " + other + "_new_89abcdef (LIKE call_logs)");
  db.Exec("CREATE TABLE " + partition + "xnewx0 (LIKE call_logs)");
  const std::vector<CallRow> rows = {FullRow("pbx", "a", 1)};
  REQUIRE(store->ReplaceAll("pbx", rows, Seq{1}).ok());
  RequireRows(*store, "pbx", rows);
  REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname = '" + partition +
                  "_new_0123abcd'") == "0");
  REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname = '" + other + "_new_89abcdef'") ==
          "1");
  REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname = '" + partition + "xnewx0'") ==
          "1");
}

TEST_CASE("pg: readers see the old rows or the new ones during ReplaceAll, never a mix", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  const std::string node = "pbx";
  std::vector<CallRow> small, big;
  for (int i = 0; i < 300; ++i) small.push_back(FullRow(node, "s" + std::to_string(i), i));
  for (int i = 0; i < 2000; ++i) big.push_back(FullRow(node, "b" + std::to_string(i), i));
  // Another node's rows must stay put throughout.
  std::vector<RowChange> other = {Upsert(FullRow("other", "o", 1))};
  REQUIRE(store->ApplyBatch("other", Seq{0}, Seq{1}, other).ok());
  REQUIRE(store->ReplaceAll(node, small, Seq{1}).ok());

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::set<std::int64_t> seen;
  std::set<std::int64_t> seen_other;
  std::vector<std::string> errors;
  std::atomic<int> reads{0};
  auto reader = [&] {
    try {
      pqxx::connection conn(db.dsn());
      while (!stop) {
        const auto n = CountRows(conn, node);
        const auto o = CountRows(conn, "other");
        std::lock_guard lock(mu);
        seen.insert(n);
        seen_other.insert(o);
        ++reads;
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      errors.push_back(e.what());
    }
  };
  std::thread r1(reader), r2(reader);
  for (int round = 0; round < 8; ++round) {
    const auto& rows = round % 2 == 0 ? big : small;
    const Status s = store->ReplaceAll(node, rows, Seq{static_cast<std::uint64_t>(round + 2)});
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  stop = true;
  r1.join();
  r2.join();
  INFO("reads: " << reads.load());
  for (const auto& e : errors) FAIL("reader failed: " << e);
  REQUIRE(seen == std::set<std::int64_t>{300, 2000});  // both, and nothing else
  REQUIRE(seen_other == std::set<std::int64_t>{1});
  RequireRows(*store, node, small);
  RequireCheckpoint(*store, node, 9);
}

TEST_CASE("pg: a rebuild waits for a long reader, or gives up and changes nothing", "[pg]") {
  TestDatabase db;
  pg::PgOptions options;
  options.swap_lock_timeout = std::chrono::milliseconds(100);
  const std::vector<CallRow> old_rows = {FullRow("pbx", "old", 1)};
  const std::vector<CallRow> new_rows = {FullRow("pbx", "new", 2)};

  // A reader holding call_logs (an open transaction that read it).
  const auto hold_call_logs = [&](std::chrono::milliseconds how_long) {
    auto conn = std::make_shared<pqxx::connection>(db.dsn());
    auto tx = std::make_shared<pqxx::work>(*conn);
    tx->exec("SELECT count(*) FROM call_logs");
    return std::thread([conn, tx, how_long]() mutable {
      std::this_thread::sleep_for(how_long);
      tx->commit();
      tx.reset();  // before its connection
      conn.reset();
    });
  };

  SECTION("the swap is retried until the reader is done") {
    options.swap_attempts = 50;
    auto store = OpenStore(db, options);
    REQUIRE(store->ReplaceAll("pbx", old_rows, Seq{1}).ok());
    std::thread reader = hold_call_logs(std::chrono::milliseconds(800));
    const Status s = store->ReplaceAll("pbx", new_rows, Seq{2});
    reader.join();
    INFO(s.ToString());
    REQUIRE(s.ok());
    RequireRows(*store, "pbx", new_rows);
    RequireCheckpoint(*store, "pbx", 2);
  }
  SECTION("after the last attempt: kUnavailable, old rows and checkpoint intact") {
    options.swap_attempts = 2;
    auto store = OpenStore(db, options);
    REQUIRE(store->ReplaceAll("pbx", old_rows, Seq{1}).ok());
    std::thread reader = hold_call_logs(std::chrono::milliseconds(2000));
    const Status s = store->ReplaceAll("pbx", new_rows, Seq{2});
    reader.join();
    INFO(s.ToString());
    REQUIRE(s.code() == Code::kUnavailable);
    RequireRows(*store, "pbx", old_rows);
    RequireCheckpoint(*store, "pbx", 1);
    REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_new\\_%'") == "0");
    // And the store goes on.
    REQUIRE(store->ReplaceAll("pbx", new_rows, Seq{2}).ok());
    RequireRows(*store, "pbx", new_rows);
  }
}

TEST_CASE("pg: rebuilds of different nodes at once all succeed", "[pg]") {
  // Every node's rebuild swaps partitions of the same parent: they must queue
  // for it, not deadlock (and so abort) each other, nor stall live writers.
  TestDatabase db;
  constexpr int kNodes = 3;
  std::vector<std::unique_ptr<PgCallLogStore>> stores;
  for (int i = 0; i < kNodes + 1; ++i) stores.push_back(OpenStore(db));
  std::vector<std::vector<CallRow>> rows(kNodes);
  for (int n = 0; n < kNodes; ++n) {
    for (int i = 0; i < 3000; ++i) {
      rows[n].push_back(FullRow("node-" + std::to_string(n), "c" + std::to_string(i), i));
    }
  }
  std::vector<std::vector<Status>> results(kNodes);
  std::atomic<bool> stop{false};
  std::vector<Status> live_errors;
  std::thread live([&] {  // a live writer of its own node throughout
    std::uint64_t seq = 0;
    while (!stop) {
      std::vector<RowChange> batch = {Upsert(FullRow("live", "l" + std::to_string(seq), 1))};
      const Status s = stores[kNodes]->ApplyBatch("live", Seq{seq}, Seq{seq + 1}, batch);
      if (!s.ok()) live_errors.push_back(s);
      ++seq;
    }
  });
  std::vector<std::thread> threads;
  for (int n = 0; n < kNodes; ++n) {
    threads.emplace_back([&, n] {
      for (int round = 0; round < 3; ++round) {
        results[n].push_back(stores[n]->ReplaceAll("node-" + std::to_string(n), rows[n], Seq{7}));
      }
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  live.join();
  for (const auto& per_node : results) {
    for (const Status& s : per_node) {
      INFO(s.ToString());
      REQUIRE(s.ok());
    }
  }
  for (const Status& s : live_errors) FAIL("live writer: " << s.ToString());
  for (int n = 0; n < kNodes; ++n) RequireRows(*stores[n], "node-" + std::to_string(n), rows[n]);
}

}  // namespace
}  // namespace callledger
