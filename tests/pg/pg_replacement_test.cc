// CallLogStore::BeginReplace: the contract both stores pass (the in-memory
// twin through the port's default), and what PgCallLogStore's streamed
// replacement must also get right against a real PostgreSQL: the table it
// builds, and readers during it. Its failures: pg_replacement_failures_test.cc.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/call_log_store.h"
#include "pg/pg_call_log_store.h"
#include "pg_store_checks.h"
#include "projection/memory_call_log_store.h"
#include "support/call_rows.h"
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
using testing::SparseRow;
using testing::TestDatabase;
using testing::Upsert;
using testing::WaitUntil;

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

std::string PartitionOf(const TestDatabase& db, const std::string& node) {
  return "call_logs_n_" + db.Exec("SELECT left(md5('" + node + "'), 16)");
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
    REQUIRE(db.Exec(attached) == "7");

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
    CHECK(db.Exec(attached) == "7");
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

}  // namespace
}  // namespace callledger
