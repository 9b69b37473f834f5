// PgCallLogStore's streamed replacement (BeginReplace) when things go wrong,
// against a real PostgreSQL: its COPY connection or the store's own dying, a
// row the server would refuse, a COPY slower than statement_timeout, a second
// replacement on the same store, and a second rebuild waiting for the first.
// In every case the old rows stay, and nothing is left behind.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/call_log_store.h"
#include "pg/pg_call_log_store.h"
#include "pg_store_checks.h"
#include "support/pg_test_db.h"
#include "support/store_checks.h"

namespace callledger {
namespace {

using testing::Begin;
using testing::FullRow;
using testing::kLeftovers;
using testing::OpenStore;
using testing::RebuildLocksHeld;
using testing::RequireCheckpoint;
using testing::RequireOk;
using testing::RequireRows;
using testing::TestDatabase;
using testing::WaitUntil;

// Node "pbx" of a fresh database holding one row, at checkpoint 3.
struct OldTable {
  TestDatabase db;
  std::unique_ptr<pg::PgCallLogStore> store = OpenStore(db);
  const std::string node = "pbx";
  const std::vector<CallRow> old = {FullRow(node, "old", 1)};
  OldTable() { RequireOk(store->ReplaceAll(node, old, Seq{3})); }
};

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
