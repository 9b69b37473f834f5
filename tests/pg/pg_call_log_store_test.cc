// PgCallLogStore against a real PostgreSQL (CALL_LEDGER_TEST_PG, see
// tests/support/pg_test_db.h), and the CallLogStore contract that the
// in-memory twin (projection::MemoryCallLogStore) must pass too
// (pg/call_log_store_contract.h). The PostgreSQL-only checks follow in
// pg_migrations_test.cc, pg_rebuild_test.cc and pg_store_errors_test.cc.
#include "pg/pg_call_log_store.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "call_log_store_contract.h"
#include "core/call_log_store.h"
#include "pg_store_checks.h"
#include "projection/memory_call_log_store.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"
#include "support/store_checks.h"

namespace callledger {
namespace {

using testing::ContractAwkwardNodeNames;
using testing::ContractCoalescesRepeatedKeys;
using testing::ContractLargeBatches;
using testing::ContractNodesAreSeparate;
using testing::ContractReplaceAll;
using testing::ContractRowsAtCheckpoint;
using testing::ContractStaleExpectedWritesNothing;
using testing::ContractUpsertUpdateDelete;
using testing::ContractValuesRoundTrip;
using testing::FullRow;
using testing::OpenStore;
using testing::RequireCheckpoint;
using testing::TestDatabase;
using testing::Upsert;

TEST_CASE("pg: the contract suite passes against PostgreSQL", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  SECTION("upsert, update, delete") { ContractUpsertUpdateDelete(*store, "pbx"); }
  SECTION("coalesces repeated keys") { ContractCoalescesRepeatedKeys(*store, "pbx"); }
  SECTION("stale expected writes nothing") { ContractStaleExpectedWritesNothing(*store, "pbx"); }
  SECTION("nodes are separate") { ContractNodesAreSeparate(*store); }
  SECTION("replace all") { ContractReplaceAll(*store, "pbx"); }
  SECTION("rows at checkpoint") { ContractRowsAtCheckpoint(*store, "pbx"); }
  SECTION("values round-trip exactly") { ContractValuesRoundTrip(*store, "pbx"); }
  SECTION("large batches") { ContractLargeBatches(*store, "pbx"); }
  SECTION("awkward node names") { ContractAwkwardNodeNames(*store); }
}

TEST_CASE("pg: the contract suite passes against the in-memory twin", "[pg][memory]") {
  projection::MemoryCallLogStore store;
  SECTION("upsert, update, delete") { ContractUpsertUpdateDelete(store, "pbx"); }
  SECTION("coalesces repeated keys") { ContractCoalescesRepeatedKeys(store, "pbx"); }
  SECTION("stale expected writes nothing") { ContractStaleExpectedWritesNothing(store, "pbx"); }
  SECTION("nodes are separate") { ContractNodesAreSeparate(store); }
  SECTION("replace all") { ContractReplaceAll(store, "pbx"); }
  SECTION("rows at checkpoint") { ContractRowsAtCheckpoint(store, "pbx"); }
  SECTION("values round-trip exactly") { ContractValuesRoundTrip(store, "pbx"); }
  SECTION("large batches") { ContractLargeBatches(store, "pbx"); }
  SECTION("awkward node names") { ContractAwkwardNodeNames(store); }
}

TEST_CASE("pg: both write paths agree for every batch size", "[pg]") {
  // staging_threshold 0 sends every batch through COPY + merge; a huge one
  // sends every batch as multi-row INSERTs (a few rows per statement).
  TestDatabase db;
  pg::PgOptions copy_only;
  copy_only.staging_threshold = 0;
  pg::PgOptions insert_only;
  insert_only.staging_threshold = 1'000'000;
  insert_only.rows_per_statement = 7;
  SECTION("copy") {
    auto store = OpenStore(db, copy_only);
    ContractValuesRoundTrip(*store, "pbx");
    ContractLargeBatches(*store, "other");
  }
  SECTION("insert") {
    auto store = OpenStore(db, insert_only);
    ContractValuesRoundTrip(*store, "pbx");
    ContractLargeBatches(*store, "other");
  }
}

TEST_CASE("pg: concurrent writers of one node: exactly one compare-and-set wins", "[pg]") {
  TestDatabase db;
  auto a = OpenStore(db);
  auto b = OpenStore(db);
  std::vector<RowChange> from_a = {Upsert(FullRow("pbx", "a", 1))};
  std::vector<RowChange> from_b = {Upsert(FullRow("pbx", "b", 2))};
  REQUIRE(a->ApplyBatch("pbx", Seq{0}, Seq{1}, from_a).ok());
  REQUIRE(b->ApplyBatch("pbx", Seq{0}, Seq{1}, from_b).code() == Code::kAborted);
  REQUIRE(b->ApplyBatch("pbx", Seq{1}, Seq{2}, from_b).ok());
  REQUIRE(a->ApplyBatch("pbx", Seq{1}, Seq{2}, from_a).code() == Code::kAborted);

  // Truly at once, many rounds: each round has exactly one winner.
  for (std::uint64_t round = 2; round < 22; ++round) {
    Status sa, sb;
    std::thread ta([&] { sa = a->ApplyBatch("pbx", Seq{round}, Seq{round + 1}, from_a); });
    std::thread tb([&] { sb = b->ApplyBatch("pbx", Seq{round}, Seq{round + 1}, from_b); });
    ta.join();
    tb.join();
    INFO(sa.ToString() << " / " << sb.ToString());
    REQUIRE(sa.ok() != sb.ok());
    REQUIRE((sa.ok() ? sb : sa).code() == Code::kAborted);
  }
  RequireCheckpoint(*a, "pbx", 22);
}

}  // namespace
}  // namespace callledger
