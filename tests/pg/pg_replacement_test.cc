// CallLogStore::BeginReplace: the contract both stores pass (the in-memory
// twin through the port's default), and what PgCallLogStore's streamed
// replacement must also get right against a real PostgreSQL: the table it
// builds, readers during it, abandoning it, and its COPY connection dying.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "core/call_log_store.h"
#include "pg/pg_call_log_store.h"
#include "pg/pg_store_sql.h"
#include "projection/memory_call_log_store.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"
#include "support/store_checks.h"

namespace callledger {
namespace {

using testing::FullRow;
using testing::RequireCheckpoint;
using testing::RequireRows;
using testing::SparseRow;
using testing::TestDatabase;
using testing::Upsert;

void RequireOk(const Status& s) {
  INFO(s.ToString());
  REQUIRE(s.ok());
}

std::unique_ptr<RowReplacement> Begin(CallLogStore& store, const std::string& node) {
  auto replacement = store.BeginReplace(node);
  INFO(replacement.status().ToString());
  REQUIRE(replacement.ok());
  return std::move(replacement).value();
}

// ---------------------------------------------------------------------------
// The contract.

void ContractBeginReplace(CallLogStore& store, const std::string& node) {
  RequireOk(store.ReplaceAll(node, std::vector<CallRow>{FullRow(node, "old", 1)}, Seq{5}));

  // Early rows, withdrawals, their replacements and the rest.
  const std::vector<CallRow> after = {FullRow(node, "a", 10), FullRow(node, "b", 21),
                                      FullRow(node, "d", 13), SparseRow(node, "e")};
  {
    auto rep = Begin(store, node);
    REQUIRE(rep->Add({FullRow(node, "a", 10), FullRow(node, "b", 11)}).ok());
    REQUIRE(rep->Add({FullRow(node, "c", 12)}).ok());
    REQUIRE(rep->Add({}).ok());
    const std::vector<CallRow> rest = {FullRow(node, "b", 21), FullRow(node, "d", 13),
                                       SparseRow(node, "e")};
    const std::vector<std::string> withdrawn = {"b", "c"};
    const Status s = rep->Finish(rest, withdrawn, Seq{40});
    INFO(s.ToString());
    REQUIRE(s.ok());
    RequireRows(store, node, after);
    RequireCheckpoint(store, node, 40);
    // Finished: a second Finish changes nothing.
    REQUIRE(!rep->Finish({}, {}, Seq{41}).ok());
    REQUIRE(!rep->Add({FullRow(node, "late", 1)}).ok());
  }
  RequireRows(store, node, after);
  RequireCheckpoint(store, node, 40);

  // Abandoned: nothing changes.
  {
    auto rep = Begin(store, node);
    REQUIRE(rep->Add({FullRow(node, "x", 30)}).ok());
  }
  RequireRows(store, node, after);
  RequireCheckpoint(store, node, 40);

  // A call_id twice, in Add or in Finish, or a withdrawal of a call_id
  // never added: kInvalidInput, and the replacement is dead.
  {
    auto rep = Begin(store, node);
    REQUIRE(rep->Add({FullRow(node, "y", 1)}).ok());
    REQUIRE(rep->Add({FullRow(node, "y", 2)}).code() == Code::kInvalidInput);
    REQUIRE(rep->Finish({}, {}, Seq{50}).code() == Code::kInvalidInput);
  }
  {
    auto rep = Begin(store, node);
    REQUIRE(rep->Add({FullRow(node, "y", 1)}).ok());
    const std::vector<CallRow> again = {FullRow(node, "y", 2)};
    REQUIRE(rep->Finish(again, {}, Seq{50}).code() == Code::kInvalidInput);
  }
  {
    auto rep = Begin(store, node);
    const std::vector<std::string> never = {"never"};
    REQUIRE(rep->Finish({}, never, Seq{50}).code() == Code::kInvalidInput);
  }
  RequireRows(store, node, after);
  RequireCheckpoint(store, node, 40);

  // Everything in Finish: ReplaceAll.
  {
    auto rep = Begin(store, node);
    const std::vector<CallRow> all = {FullRow(node, "f", 1), FullRow(node, "g", 2)};
    REQUIRE(rep->Finish(all, {}, Seq{7}).ok());
    RequireRows(store, node, all);
    RequireCheckpoint(store, node, 7);
  }
  // Everything withdrawn, checkpoint 0: the node starts over, and the live
  // path goes on from there.
  {
    auto rep = Begin(store, node);
    REQUIRE(rep->Add({FullRow(node, "z", 1)}).ok());
    const std::vector<std::string> all = {"z"};
    REQUIRE(rep->Finish({}, all, Seq{0}).ok());
  }
  RequireRows(store, node, {});
  RequireCheckpoint(store, node, 0);
  const std::vector<RowChange> batch = {Upsert(FullRow(node, "live", 3))};
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{1}, batch).ok());
  RequireRows(store, node, {FullRow(node, "live", 3)});
}

TEST_CASE("replacement: the contract holds for the in-memory twin", "[memory]") {
  projection::MemoryCallLogStore store;
  ContractBeginReplace(store, "pbx");
}

// ---------------------------------------------------------------------------
// PostgreSQL.

std::unique_ptr<pg::PgCallLogStore> OpenStore(const TestDatabase& db, pg::PgOptions options = {}) {
  auto store = pg::PgCallLogStore::Open(db.dsn(), std::move(options));
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

std::string PartitionOf(const TestDatabase& db, const std::string& node) {
  return "call_logs_n_" + db.Exec("SELECT left(md5('" + node + "'), 16)");
}

// Node "pbx" of a fresh database holding one row, at checkpoint 3.
struct OldTable {
  TestDatabase db;
  std::unique_ptr<pg::PgCallLogStore> store = OpenStore(db);
  const std::string node = "pbx";
  const std::vector<CallRow> old = {FullRow(node, "old", 1)};
  OldTable() { RequireOk(store->ReplaceAll(node, old, Seq{3})); }
};

// Polls `done` every few milliseconds until it holds or `limit` passed.
void WaitUntil(const std::function<bool()>& done,
               std::chrono::seconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

constexpr const char* kLeftovers =
    "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE '%\\_new\\_%'";

std::string RebuildLocksHeld(const TestDatabase& db) {
  // This database's only: advisory locks are per database, and other tests
  // run beside this one on the server.
  return db.Exec(
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
      "database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
      "((classid::bigint << 32) | objid::bigint) = " +
      std::to_string(pg::kRebuildLockKey));
}

TEST_CASE("replacement: the contract holds for PostgreSQL", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  ContractBeginReplace(*store, "pbx");
  // The abandoned and refused replacements left no table and no lock.
  CHECK(db.Exec(kLeftovers) == "0");
  CHECK(RebuildLocksHeld(db) == "0");
}

TEST_CASE("replacement: streamed rows give the table ReplaceAll gives", "[pg]") {
  TestDatabase db;
  const std::string node = "pbx";
  const std::string partition = PartitionOf(db, node);
  // Every column of every row in a stable order, and the indexes: what a
  // reader and the planner see.
  const std::string dump =
      "SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.call_id COLLATE \"C\")) FROM " + partition +
      " t";
  const std::string index_defs = "SELECT string_agg(replace(indexdef, '" + partition +
                                 "', 'P'), '; ' ORDER BY indexname) "
                                 "FROM pg_indexes WHERE tablename = '" +
                                 partition + "'";
  const std::string attached =
      "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE c.relname LIKE '" +
      partition + "%' AND c.relkind = 'i'";
  auto store = OpenStore(db);
  for (int count : {0, 1, 5000}) {
    CAPTURE(count);
    std::vector<CallRow> final_rows;
    for (int i = 0; i < count; ++i)
      final_rows.push_back(FullRow(node, "c" + std::to_string(i), i % 97));
    RequireOk(store->ReplaceAll(node, final_rows, Seq{9}));
    const std::string want_dump = db.Exec(dump);
    const std::string want_indexes = db.Exec(index_defs);
    REQUIRE(db.Exec(attached) == "6");

    // Streamed: pieces of 97 rows, every tenth row first in an older
    // version that is withdrawn and replaced in Finish, every seventh held
    // back for Finish.
    auto rep = Begin(*store, node);
    std::vector<CallRow> piece, rest;
    std::vector<std::string> withdrawn;
    for (int i = 0; i < count; ++i) {
      const CallRow& r = final_rows[static_cast<std::size_t>(i)];
      if (i % 10 == 0) {
        piece.push_back(FullRow(node, r.call_id, 1000 + i));
        withdrawn.push_back(r.call_id);
        rest.push_back(r);
      } else if (i % 7 == 0) {
        rest.push_back(r);
      } else {
        piece.push_back(r);
      }
      if (piece.size() == 97) {
        REQUIRE(rep->Add(std::move(piece)).ok());
        piece.clear();
      }
    }
    REQUIRE(rep->Add(std::move(piece)).ok());
    const Status s = rep->Finish(rest, withdrawn, Seq{count + 10u});
    INFO(s.ToString());
    REQUIRE(s.ok());
    RequireRows(*store, node, final_rows);
    RequireCheckpoint(*store, node, count + 10u);
    CHECK(db.Exec(dump) == want_dump);
    CHECK(db.Exec(index_defs) == want_indexes);
    CHECK(db.Exec(attached) == "6");
    CHECK(db.Exec("SELECT count(*) FROM pg_constraint WHERE conrelid = '" + partition +
                  "'::regclass AND contype = 'p'") == "1");
    CHECK(db.Exec(kLeftovers) == "0");
  }
}

TEST_CASE("replacement: readers see the old rows until Finish; abandoning leaves nothing", "[pg]") {
  TestDatabase db;
  const std::string node = "pbx";
  auto store = OpenStore(db);
  std::vector<CallRow> old;
  for (int i = 0; i < 300; ++i) old.push_back(FullRow(node, "old" + std::to_string(i), i));
  RequireOk(store->ReplaceAll(node, old, Seq{3}));
  const std::string count = "SELECT count(*) FROM call_logs WHERE node = 'pbx'";

  for (const bool finish : {false, true}) {
    CAPTURE(finish);
    auto rep = Begin(*store, node);
    CHECK(db.Exec(kLeftovers) == "1");
    CHECK(RebuildLocksHeld(db) == "1");
    for (int k = 0; k < 20; ++k) {
      std::vector<CallRow> piece;
      for (int i = 0; i < 100; ++i)
        piece.push_back(FullRow(node, "n" + std::to_string(k * 100 + i), i));
      REQUIRE(rep->Add(std::move(piece)).ok());
    }
    // The server has the rows (its COPY took them in), readers do not.
    const std::string copied =
        "SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy "
        "WHERE datname = current_database()";
    WaitUntil([&] { return db.Exec(copied) == "2000"; }, std::chrono::seconds(20));
    REQUIRE(db.Exec(copied) == "2000");
    CHECK(db.Exec(count) == "300");
    if (finish) {
      REQUIRE(rep->Finish({}, {}, Seq{4}).ok());
      CHECK(db.Exec(count) == "2000");
    } else {
      rep.reset();
      CHECK(db.Exec(count) == "300");
      RequireCheckpoint(*store, node, 3);
    }
    CHECK(db.Exec(kLeftovers) == "0");
    CHECK(RebuildLocksHeld(db) == "0");
  }
}

TEST_CASE("replacement: a COPY connection that dies fails it, and the old rows stay", "[pg]") {
  OldTable t;
  const TestDatabase& db = t.db;
  auto& store = t.store;
  const std::string& node = t.node;
  const std::vector<CallRow>& old = t.old;

  auto rep = Begin(*store, node);
  REQUIRE(rep->Add({FullRow(node, "a", 1)}).ok());
  // This test's database only: other tests run beside it on the server.
  const std::string killed =
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE application_name = 'call-ledger rebuild' AND datname = current_database()";
  WaitUntil([&] { return db.Exec(killed) == "1"; });
  // Add may still queue (the stream learns of it when it next writes);
  // Finish cannot succeed.
  Status s = Status::Ok();
  for (int i = 0; i < 50 && s.ok(); ++i) {
    s = rep->Add({FullRow(node, "b" + std::to_string(i), i)});
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const Status finished = rep->Finish({}, {}, Seq{4});
  INFO(finished.ToString());
  REQUIRE(finished.code() == Code::kUnavailable);
  rep.reset();
  // The store's own connection was not the one that died: the old rows,
  // and no table left over.
  RequireRows(*store, node, old);
  RequireCheckpoint(*store, node, 3);
  CHECK(db.Exec(kLeftovers) == "0");
  CHECK(RebuildLocksHeld(db) == "0");
  // And the next replacement works.
  auto again = Begin(*store, node);
  REQUIRE(again->Add({FullRow(node, "new", 2)}).ok());
  REQUIRE(again->Finish({}, {}, Seq{5}).ok());
  RequireRows(*store, node, {FullRow(node, "new", 2)});
}

TEST_CASE("replacement: a row the server would refuse stops it before it is sent", "[pg]") {
  OldTable t;
  const TestDatabase& db = t.db;
  auto& store = t.store;
  const std::string& node = t.node;
  const std::vector<CallRow>& old = t.old;
  {
    auto rep = Begin(*store, node);
    CallRow bad = FullRow(node, "bad", 2);
    bad.caller_name = std::string("nul\0byte", 8);
    CallRow other_node = FullRow("elsewhere", "x", 3);
    REQUIRE(rep->Add({FullRow(node, "good", 1), bad}).code() == Code::kInvalidInput);
    REQUIRE(rep->Add({other_node}).code() == Code::kInvalidInput);
    REQUIRE(rep->Finish({}, {}, Seq{4}).code() == Code::kInvalidInput);
  }
  {
    auto rep = Begin(*store, node);
    CallRow far = FullRow(node, "far", 2);
    far.duration_s = std::int64_t{1} << 40;
    const std::vector<CallRow> rows = {far};
    REQUIRE(rep->Finish(rows, {}, Seq{4}).code() == Code::kInvalidInput);
  }
  RequireRows(*store, node, old);
  RequireCheckpoint(*store, node, 3);
  CHECK(db.Exec(kLeftovers) == "0");
}

TEST_CASE("replacement: a COPY that lasts longer than statement_timeout is not cut off", "[pg]") {
  TestDatabase db;
  // New sessions of this database get both limits, the store's included.
  const std::string name = db.Exec("SELECT current_database()");
  db.Exec("ALTER DATABASE \"" + name + "\" SET statement_timeout = '300ms'");
  db.Exec("ALTER DATABASE \"" + name + "\" SET idle_in_transaction_session_timeout = '300ms'");
  const std::string node = "pbx";
  auto store = OpenStore(db);
  auto rep = Begin(*store, node);
  REQUIRE(rep->Add({FullRow(node, "a", 1)}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(900));  // a slow fold
  REQUIRE(rep->Add({FullRow(node, "b", 2)}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  RequireOk(rep->Finish(std::vector<CallRow>{FullRow(node, "c", 3)}, {}, Seq{9}));
  RequireRows(*store, node, {FullRow(node, "a", 1), FullRow(node, "b", 2), FullRow(node, "c", 3)});
}

TEST_CASE("replacement: one at a time per store; a failed one lets go at once", "[pg]") {
  OldTable t;
  const TestDatabase& db = t.db;
  auto& store = t.store;
  const std::string& node = t.node;
  const std::vector<CallRow>& old = t.old;

  auto first = Begin(*store, node);
  REQUIRE(first->Add({FullRow(node, "a", 1)}).ok());
  // A second replacement on the store would wait for the first's table
  // forever (it drops leftovers first): refused.
  CHECK(store->BeginReplace(node).status().code() == Code::kFailedPrecondition);
  CHECK(store->ReplaceAll(node, old, Seq{4}).code() == Code::kFailedPrecondition);

  // It fails (a call_id given twice): its table and lock are gone at once,
  // while the object still exists, and the store can rebuild again.
  const std::vector<CallRow> again = {FullRow(node, "a", 2)};
  REQUIRE(first->Finish(again, {}, Seq{5}).code() == Code::kInvalidInput);
  CHECK(db.Exec(kLeftovers) == "0");
  CHECK(RebuildLocksHeld(db) == "0");
  auto second = Begin(*store, node);
  CHECK(RebuildLocksHeld(db) == "1");
  RequireOk(second->Finish(std::vector<CallRow>{FullRow(node, "b", 2)}, {}, Seq{6}));
  first.reset();
  second.reset();
  RequireRows(*store, node, {FullRow(node, "b", 2)});
  RequireCheckpoint(*store, node, 6);
  CHECK(RebuildLocksHeld(db) == "0");
}

TEST_CASE("replacement: the store's connection dying mid-way loses neither lock nor rows", "[pg]") {
  OldTable t;
  const TestDatabase& db = t.db;
  auto& store = t.store;
  const std::string& node = t.node;

  auto first = Begin(*store, node);
  REQUIRE(first->Add({FullRow(node, "a", 1)}).ok());
  // The store's own session (it holds the rebuild lock), not the COPY's.
  REQUIRE(db.Exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                  "WHERE application_name = 'call-ledger' AND datname = current_database()") ==
          "1");
  const Status failed = first->Finish({}, {}, Seq{4});
  INFO(failed.ToString());
  REQUIRE(failed.code() == Code::kUnavailable);
  CHECK(RebuildLocksHeld(db) == "0");  // it died with the session

  // The store reconnects; the next replacement's lock is its own, and the
  // first's destructor must not release it.
  auto second = Begin(*store, node);
  CHECK(RebuildLocksHeld(db) == "1");
  first.reset();
  CHECK(RebuildLocksHeld(db) == "1");
  RequireOk(second->Finish(std::vector<CallRow>{FullRow(node, "b", 2)}, {}, Seq{5}));
  RequireRows(*store, node, {FullRow(node, "b", 2)});
  CHECK(RebuildLocksHeld(db) == "0");
  CHECK(db.Exec(kLeftovers) == "0");  // the first's table, dropped by the second
}

TEST_CASE("replacement: a second rebuild says it waits, then runs after the first", "[pg]") {
  TestDatabase db;
  auto first_store = OpenStore(db);
  std::atomic<bool> waiting{false};
  pg::PgOptions options;
  options.on_rebuild_wait = [&] { waiting = true; };
  auto second_store = OpenStore(db, options);

  auto first = Begin(*first_store, "pbx-a");
  REQUIRE(first->Add({FullRow("pbx-a", "a", 1)}).ok());
  Status second_status = Internal("not run");
  std::thread second([&] {
    second_status =
        second_store->ReplaceAll("pbx-b", std::vector<CallRow>{FullRow("pbx-b", "b", 2)}, Seq{2});
  });
  WaitUntil([&] { return waiting.load(); });
  CHECK(waiting);
  CHECK(RebuildLocksHeld(db) == "1");  // the first's; the second waits
  RequireOk(first->Finish({}, {}, Seq{1}));
  second.join();
  RequireOk(second_status);
  RequireRows(*first_store, "pbx-a", {FullRow("pbx-a", "a", 1)});
  RequireRows(*first_store, "pbx-b", {FullRow("pbx-b", "b", 2)});
}

}  // namespace
}  // namespace callledger
