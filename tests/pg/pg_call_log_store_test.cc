// PgCallLogStore against a real PostgreSQL (CALL_LEDGER_TEST_PG, see
// tests/support/pg_test_db.h), and the CallLogStore contract that the
// in-memory twin (projection::MemoryCallLogStore) must pass too.
//
// The contract checks are functions of a CallLogStore& so that any
// implementation can run them; the PostgreSQL-only checks (migrations,
// atomic swap under a concurrent reader, reconnects) follow.
#include "pg/pg_call_log_store.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <limits>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/call_log_store.h"
#include "pg/migrations.h"
#include "projection/memory_call_log_store.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"
#include "support/store_checks.h"

namespace callledger {
namespace {

using pg::PgCallLogStore;
using testing::Delete;
using testing::FullRow;
using testing::RequireCheckpoint;
using testing::RequireRows;
using testing::SparseRow;
using testing::TestDatabase;
using testing::Upsert;

// ---------------------------------------------------------------------------
// Rows and helpers.

// ---------------------------------------------------------------------------
// The contract: every CallLogStore passes these.

void ContractUpsertUpdateDelete(CallLogStore& store, const std::string& node) {
  RequireCheckpoint(store, node, 0);
  RequireRows(store, node, {});

  const CallRow a = FullRow(node, "call-a", 1);
  const CallRow b = SparseRow(node, "call-b");
  std::vector<RowChange> batch = {Upsert(a), Upsert(b)};
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{10}, batch).ok());
  RequireCheckpoint(store, node, 10);
  RequireRows(store, node, {a, b});

  // Update b (every column changes), delete a, insert c.
  CallRow b2 = FullRow(node, "call-b", 2);
  const CallRow c = FullRow(node, "call-c", 3);
  batch = {Upsert(b2), Delete(node, "call-a"), Upsert(c)};
  REQUIRE(store.ApplyBatch(node, Seq{10}, Seq{25}, batch).ok());
  RequireCheckpoint(store, node, 25);
  RequireRows(store, node, {b2, c});

  // Back to sparse: columns that were set become NULL again.
  batch = {Upsert(SparseRow(node, "call-b"))};
  REQUIRE(store.ApplyBatch(node, Seq{25}, Seq{26}, batch).ok());
  RequireRows(store, node, {SparseRow(node, "call-b"), c});

  // Deleting what is not there is fine; an empty batch still moves the checkpoint.
  batch = {Delete(node, "never-seen")};
  REQUIRE(store.ApplyBatch(node, Seq{26}, Seq{27}, batch).ok());
  REQUIRE(store.ApplyBatch(node, Seq{27}, Seq{28}, {}).ok());
  RequireCheckpoint(store, node, 28);
  RequireRows(store, node, {SparseRow(node, "call-b"), c});
}

void ContractCoalescesRepeatedKeys(CallLogStore& store, const std::string& node) {
  const CallRow x1 = SparseRow(node, "x");
  CallRow x2 = x1;
  x2.status = CallStatus::kTalking;
  x2.answered = true;
  x2.answer_us = x1.start_us + 1;
  const CallRow x3 = FullRow(node, "x", 7);
  const CallRow y = FullRow(node, "y", 8);
  // x: upsert, upsert, upsert (last wins); y: upsert then delete then upsert;
  // z: upsert then delete (gone).
  std::vector<RowChange> batch = {Upsert(x1), Upsert(y),         Upsert(FullRow(node, "z", 9)),
                                  Upsert(x2), Delete(node, "y"), Delete(node, "z"),
                                  Upsert(x3), Upsert(y)};
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{8}, batch).ok());
  RequireRows(store, node, {x3, y});

  // Delete then re-insert in a later batch, and insert then delete in one.
  batch = {Delete(node, "x"), Upsert(FullRow(node, "w", 10)), Delete(node, "w")};
  REQUIRE(store.ApplyBatch(node, Seq{8}, Seq{9}, batch).ok());
  RequireRows(store, node, {y});
}

void ContractStaleExpectedWritesNothing(CallLogStore& store, const std::string& node) {
  const CallRow a = FullRow(node, "a", 1);
  std::vector<RowChange> batch = {Upsert(a)};
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{5}, batch).ok());

  const std::vector<RowChange> evil = {Upsert(FullRow(node, "a", 2)), Upsert(FullRow(node, "b", 3)),
                                       Delete(node, "a")};
  for (std::uint64_t stale : {0ULL, 4ULL, 6ULL, 100ULL}) {
    CAPTURE(stale);
    const Status s = store.ApplyBatch(node, Seq{stale}, Seq{200}, evil);
    REQUIRE(s.code() == Code::kAborted);
    RequireCheckpoint(store, node, 5);
    RequireRows(store, node, {a});
  }
  // The right expected still works afterwards.
  REQUIRE(store.ApplyBatch(node, Seq{5}, Seq{6}, evil).ok());
  RequireRows(store, node, {FullRow(node, "b", 3)});
}

void ContractNodesAreSeparate(CallLogStore& store) {
  const std::string n1 = "pbx-1", n2 = "pbx-2";
  const CallRow a1 = FullRow(n1, "same-id", 1);
  const CallRow a2 = FullRow(n2, "same-id", 2);
  std::vector<RowChange> b1 = {Upsert(a1)}, b2 = {Upsert(a2)};
  REQUIRE(store.ApplyBatch(n1, Seq{0}, Seq{3}, b1).ok());
  REQUIRE(store.ApplyBatch(n2, Seq{0}, Seq{70}, b2).ok());
  RequireCheckpoint(store, n1, 3);
  RequireCheckpoint(store, n2, 70);
  RequireRows(store, n1, {a1});
  RequireRows(store, n2, {a2});

  // One node's checkpoint does not satisfy the other's compare-and-set.
  REQUIRE(store.ApplyBatch(n1, Seq{70}, Seq{71}, {}).code() == Code::kAborted);
  // Deleting on one node leaves the other alone.
  std::vector<RowChange> del = {Delete(n1, "same-id")};
  REQUIRE(store.ApplyBatch(n1, Seq{3}, Seq{4}, del).ok());
  RequireRows(store, n1, {});
  RequireRows(store, n2, {a2});
  // Rebuilding one node leaves the other alone.
  const std::vector<CallRow> fresh = {FullRow(n1, "r1", 5), FullRow(n1, "r2", 6)};
  REQUIRE(store.ReplaceAll(n1, fresh, Seq{40}).ok());
  RequireRows(store, n1, fresh);
  RequireRows(store, n2, {a2});
  RequireCheckpoint(store, n1, 40);
  RequireCheckpoint(store, n2, 70);
}

void ContractRowsAtCheckpoint(CallLogStore& store, const std::string& node) {
  auto empty = store.RowsAtCheckpoint(node);
  REQUIRE(empty.ok());
  CHECK(empty->checkpoint == Seq{0});
  CHECK(empty->rows.empty());
  const std::vector<RowChange> batch = {Upsert(FullRow(node, "b", 2)),
                                        Upsert(FullRow(node, "a", 1)),
                                        Upsert(FullRow("other", "o", 3))};
  REQUIRE(store
              .ApplyBatch(node, Seq{0}, Seq{7},
                          std::vector<RowChange>(batch.begin(), batch.begin() + 2))
              .ok());
  REQUIRE(store
              .ApplyBatch("other", Seq{0}, Seq{9},
                          std::vector<RowChange>(batch.begin() + 2, batch.end()))
              .ok());
  auto now = store.RowsAtCheckpoint(node);
  REQUIRE(now.ok());
  CHECK(now->checkpoint == Seq{7});
  CHECK(now->rows == std::vector<CallRow>{FullRow(node, "a", 1), FullRow(node, "b", 2)});
}

void ContractReplaceAll(CallLogStore& store, const std::string& node) {
  // Rebuild of a node that never had rows.
  std::vector<CallRow> first;
  for (int i = 0; i < 50; ++i) first.push_back(FullRow(node, "old-" + std::to_string(i), i));
  REQUIRE(store.ReplaceAll(node, first, Seq{50}).ok());
  RequireRows(store, node, first);
  RequireCheckpoint(store, node, 50);

  // The live path continues from the rebuild's checkpoint.
  const CallRow live = FullRow(node, "live", 99);
  std::vector<RowChange> batch = {Upsert(live), Delete(node, "old-0")};
  REQUIRE(store.ApplyBatch(node, Seq{50}, Seq{51}, batch).ok());

  // Replace everything: old rows vanish, even ones the new set lacks.
  std::vector<CallRow> second;
  for (int i = 0; i < 20; ++i) second.push_back(FullRow(node, "new-" + std::to_string(i), 100 + i));
  REQUIRE(store.ReplaceAll(node, second, Seq{30}).ok());  // a rebuild may move it back
  RequireRows(store, node, second);
  RequireCheckpoint(store, node, 30);
  REQUIRE(store.ApplyBatch(node, Seq{51}, Seq{52}, {}).code() == Code::kAborted);
  REQUIRE(store.ApplyBatch(node, Seq{30}, Seq{31}, batch).ok());
  auto with_live = second;
  with_live.push_back(live);
  RequireRows(store, node, with_live);

  // Duplicate call_ids in a rebuild: the last one wins.
  const std::vector<CallRow> dup = {FullRow(node, "d", 1), FullRow(node, "d", 2)};
  REQUIRE(store.ReplaceAll(node, dup, Seq{2}).ok());
  RequireRows(store, node, {FullRow(node, "d", 2)});

  // To nothing, checkpoint 0: the node starts over.
  REQUIRE(store.ReplaceAll(node, {}, Seq{0}).ok());
  RequireRows(store, node, {});
  RequireCheckpoint(store, node, 0);
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{1}, batch).ok());
  RequireRows(store, node, {live});
}

// Values that tend to break a store: exact microseconds, times before 1970
// and at the ends of the range, NULLs, UTF-8, quotes, backslashes, COPY's own
// escapes (tab, newline, \N), and SQL that must stay text.
std::vector<CallRow> TrickyRows(const std::string& node) {
  std::vector<CallRow> rows;
  const std::vector<std::string> texts = {
      "Oʻtkir Xoʻjayev",
      "Ўткир Хўжаев",
      "'; DROP TABLE call_logs; --",
      "Robert'); DROP TABLE projector_checkpoint;--",
      "back\\slash \\\\ double \\N \\t",
      "tab\there\nnew line\r\nCRLF",
      "\"double\" and 'single' quotes ''",
      "$1 $$dollar$$ %s %d {}",
      "emoji 📞☎️ and combining é",
      "\\N",
      " ",
  };
  const std::vector<std::int64_t> times = {
      1,                           // 1970-01-01 00:00:00.000001
      -1,                          // 1969-12-31 23:59:59.999999
      -86'400'000'000LL * 365,     // 1969-01-01
      1795683358161123LL,          // 2026-11-26 09:15:58.161123
      951782400000000LL + 999999,  // 2000-02-29 00:00:00.999999 (leap day)
      4102444799999999LL,          // 2099-12-31 23:59:59.999999
      253402300799999999LL,        // 9999-12-31 23:59:59.999999
      -62135596800000000LL,        // 0001-01-01 00:00:00
  };
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CallRow r = FullRow(node, "t" + std::to_string(i) + " " + texts[i], static_cast<int>(i));
    r.caller_name = texts[i];
    r.from_number = texts[(i + 1) % texts.size()];
    r.to_number = texts[(i + 2) % texts.size()];
    r.recording_path = texts[(i + 3) % texts.size()];
    r.hangup_cause_txt = texts[(i + 4) % texts.size()];
    r.channel_id = texts[(i + 5) % texts.size()];
    r.start_us = times[i % times.size()];
    r.answer_us = times[(i + 1) % times.size()];
    r.end_us = times[(i + 2) % times.size()];
    r.duration_s = -5;
    r.ring_s = 2147483647;
    r.talk_s = 0;
    r.hangup_cause = -1;
    r.first_seq = Seq{9223372036854775807ULL};  // bigint max
    r.last_seq = Seq{0};
    r.projector_version = 2147483647;
    rows.push_back(r);
  }
  rows.push_back(SparseRow(node, "sparse"));
  rows.push_back(SparseRow(node, "'quoted id'"));
  CallRow talking = SparseRow(node, "talking");
  talking.status = CallStatus::kTalking;
  talking.answered = true;
  rows.push_back(talking);
  return rows;
}

void ContractValuesRoundTrip(CallLogStore& store, const std::string& node) {
  const std::vector<CallRow> tricky = TrickyRows(node);
  // Small batch (multi-row INSERT in PostgreSQL).
  std::vector<RowChange> batch;
  for (const auto& r : tricky) batch.push_back(Upsert(r));
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{1}, batch).ok());
  RequireRows(store, node, tricky);

  // Large batch (COPY + merge in PostgreSQL): the same rows among many.
  std::vector<CallRow> many = tricky;
  for (int i = 0; i < 600; ++i) many.push_back(FullRow(node, "bulk-" + std::to_string(i), i));
  batch.clear();
  for (const auto& r : many) batch.push_back(Upsert(r));
  REQUIRE(store.ApplyBatch(node, Seq{1}, Seq{2}, batch).ok());
  RequireRows(store, node, many);

  // Rebuild (COPY into a new partition).
  REQUIRE(store.ReplaceAll(node, tricky, Seq{3}).ok());
  RequireRows(store, node, tricky);
}

void ContractLargeBatches(CallLogStore& store, const std::string& node) {
  // Over any staging threshold, with repeated keys and deletes mixed in.
  std::vector<CallRow> expected;
  std::vector<RowChange> batch;
  for (int i = 0; i < 1500; ++i) batch.push_back(Upsert(SparseRow(node, "k" + std::to_string(i))));
  for (int i = 0; i < 1500; i += 3) batch.push_back(Delete(node, "k" + std::to_string(i)));
  for (int i = 0; i < 1500; ++i) {
    if (i % 3 == 0) continue;
    CallRow r = FullRow(node, "k" + std::to_string(i), i);
    if (i % 3 == 1)
      batch.push_back(Upsert(r));
    else
      r = SparseRow(node, "k" + std::to_string(i));
    expected.push_back(r);
  }
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{1500}, batch).ok());
  RequireRows(store, node, expected);
  RequireCheckpoint(store, node, 1500);

  // Update them all again in one go, and delete a few hundred.
  batch.clear();
  std::vector<CallRow> expected2;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (i % 4 == 0) {
      batch.push_back(Delete(node, expected[i].call_id));
      continue;
    }
    CallRow r = FullRow(node, expected[i].call_id, static_cast<int>(i) + 5000);
    batch.push_back(Upsert(r));
    expected2.push_back(r);
  }
  REQUIRE(store.ApplyBatch(node, Seq{1500}, Seq{3000}, batch).ok());
  RequireRows(store, node, expected2);
}

void ContractAwkwardNodeNames(CallLogStore& store) {
  for (const std::string node :
       {"node with spaces", "it's \"quoted\"", "'); DROP TABLE call_logs; --", "Ўзбекистон-1",
        "back\\slash", "UPPER lower"}) {
    CAPTURE(node);
    const CallRow a = FullRow(node, "a", 1);
    std::vector<RowChange> batch = {Upsert(a)};
    REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{1}, batch).ok());
    RequireRows(store, node, {a});
    RequireCheckpoint(store, node, 1);
    const std::vector<CallRow> rebuilt = {FullRow(node, "b", 2)};
    REQUIRE(store.ReplaceAll(node, rebuilt, Seq{9}).ok());
    RequireRows(store, node, rebuilt);
    RequireCheckpoint(store, node, 9);
  }
}

// ---------------------------------------------------------------------------
// PostgreSQL.

std::unique_ptr<PgCallLogStore> OpenStore(const TestDatabase& db, pg::PgOptions options = {}) {
  auto store = PgCallLogStore::Open(db.dsn(), std::move(options));
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

std::int64_t CountRows(pqxx::connection& conn, const std::string& node) {
  pqxx::nontransaction tx(conn);
  return tx.exec_params1("SELECT count(*) FROM call_logs WHERE node = $1", node)[0]
      .as<std::int64_t>();
}

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

TEST_CASE("pg: migrations apply to a fresh database and are idempotent", "[pg]") {
  TestDatabase db;
  {
    auto store = OpenStore(db);
    std::string all_versions;
    for (int v = 1; v <= pg::kSchemaVersion; ++v)
      all_versions += (v > 1 ? "," : "") + std::to_string(v);
    REQUIRE(
        db.Exec("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations") ==
        all_versions);
    REQUIRE(db.Exec("SELECT relkind FROM pg_class WHERE relname = 'call_logs'") == "p");
    REQUIRE(db.Exec("SELECT pg_get_partkeydef('call_logs'::regclass)") == "LIST (node)");
    // The primary key and five search indexes (migration 4 dropped one).
    REQUIRE(db.Exec("SELECT count(*) FROM pg_indexes WHERE tablename = 'call_logs'") == "6");
    REQUIRE(db.Exec("SELECT count(*) FROM pg_indexes WHERE tablename = 'missed_open'") == "3");
    REQUIRE(db.Exec("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute "
                    "WHERE attrelid = 'call_logs'::regclass AND attnum > 0") ==
            "call_id,direction,from_number,to_number,start_time,end_time,duration,status,"
            "recording_path,channel_id,node,caller_name,answer_time,ring_seconds,talk_seconds,"
            "answered,disposition,hangup_cause,hangup_cause_txt,end_estimated,args_ok,first_seq,"
            "last_seq,projector_version");
    std::vector<RowChange> batch = {Upsert(FullRow("pbx", "a", 1))};
    REQUIRE(store->ApplyBatch("pbx", Seq{0}, Seq{1}, batch).ok());
  }
  // Reopening changes nothing and keeps the data.
  auto again = OpenStore(db);
  auto again2 = OpenStore(db);
  REQUIRE(db.Exec("SELECT count(*) FROM schema_migrations") == std::to_string(pg::kSchemaVersion));
  RequireRows(*again, "pbx", {FullRow("pbx", "a", 1)});
  RequireCheckpoint(*again2, "pbx", 1);
  // The status column refuses what the projector never writes.
  REQUIRE_THROWS(
      db.Exec("INSERT INTO call_logs (call_id, status, channel_id, node, answered, "
              "end_estimated, args_ok, first_seq, last_seq, projector_version) "
              "VALUES ('x', 'ringing', 'x', 'pbx', false, false, false, 1, 1, 1)"));
}

TEST_CASE("pg: two stores opening a fresh database at once migrate it once", "[pg]") {
  TestDatabase db;
  constexpr int kStores = 4;
  std::vector<Status> results(kStores);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] { results[i] = PgCallLogStore::Open(db.dsn()).status(); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) {
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  REQUIRE(db.Exec("SELECT count(*) FROM schema_migrations") == std::to_string(pg::kSchemaVersion));
}

TEST_CASE("pg: a database with a newer schema is refused", "[pg]") {
  TestDatabase db;
  { auto store = OpenStore(db); }
  db.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (99, now())");
  auto store = PgCallLogStore::Open(db.dsn());
  REQUIRE_FALSE(store.ok());
  REQUIRE(store.status().code() == Code::kFailedPrecondition);
  REQUIRE_THAT(store.status().message(),
               Catch::Contains("database schema version 99 is newer than this build's " +
                               std::to_string(pg::kSchemaVersion) + "; upgrade call-ledger"));
}

TEST_CASE("pg: each node has its own partition", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  const std::string node = "it's a node";
  std::vector<RowChange> batch = {Upsert(FullRow(node, "a", 1))};
  REQUIRE(store->ApplyBatch(node, Seq{0}, Seq{1}, batch).ok());
  const std::string expected_name =
      "call_logs_n_" + db.Exec("SELECT left(md5('it''s a node'), 16)");
  const std::string partitions =
      "SELECT string_agg(c.relname, ',') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE i.inhparent = 'call_logs'::regclass";
  REQUIRE(db.Exec(partitions) == expected_name);
  const std::string partition_indexes =
      "SELECT count(*) FROM pg_index WHERE indrelid = '" + expected_name + "'::regclass";
  REQUIRE(db.Exec(partition_indexes) == "6");

  // After a rebuild: the same name, the same indexes, all attached to the
  // parent's, and no leftover tables.
  const std::vector<CallRow> rows = {FullRow(node, "b", 2)};
  REQUIRE(store->ReplaceAll(node, rows, Seq{5}).ok());
  REQUIRE(db.Exec(partitions) == expected_name);
  REQUIRE(db.Exec(partition_indexes) == "6");
  REQUIRE(db.Exec("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                  "WHERE c.relname LIKE '" +
                  expected_name + "%' AND c.relkind = 'i'") == "6");
  REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_new\\_%'") == "0");
  REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname LIKE '" + expected_name +
                  "\\_%' AND relname NOT LIKE '%pkey' AND relname NOT LIKE '%idx'") == "0");
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
                  "b.last_seq, b.projector_version) IS DISTINCT FROM "
                  "(t.direction, t.from_number, t.to_number, t.start_time, t.end_time, "
                  "t.duration, t.status, t.recording_path, t.channel_id, t.caller_name, "
                  "t.answer_time, t.ring_seconds, t.talk_seconds, t.answered, t.disposition, "
                  "t.hangup_cause, t.hangup_cause_txt, t.end_estimated, t.args_ok, t.first_seq, "
                  "t.last_seq, t.projector_version)") == "0");
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

TEST_CASE("pg: rows the database would refuse are kInvalidInput and write nothing", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  const CallRow good = FullRow("pbx", "good", 1);
  std::vector<RowChange> batch = {Upsert(good)};
  REQUIRE(store->ApplyBatch("pbx", Seq{0}, Seq{1}, batch).ok());

  CallRow bad_utf8 = FullRow("pbx", "x", 2);
  bad_utf8.caller_name = "truncated \xd0";
  CallRow nul = FullRow("pbx", "y", 3);
  nul.caller_name = std::string("a\0b", 3);
  CallRow other_node = FullRow("elsewhere", "z", 4);
  CallRow overflow = FullRow("pbx", "w", 5);
  overflow.duration_s = 1LL << 40;
  CallRow far_future = FullRow("pbx", "v", 6);
  far_future.end_us = 253402300800000000LL;  // 10000-01-01
  for (const CallRow& bad : {bad_utf8, nul, other_node, overflow, far_future}) {
    CAPTURE(bad.call_id);
    for (std::size_t padding : {0, 300}) {  // both write paths
      std::vector<RowChange> b = {Upsert(FullRow("pbx", "good", 9))};
      for (std::size_t i = 0; i < padding; ++i)
        b.push_back(Upsert(FullRow("pbx", "p" + std::to_string(i), 1)));
      b.push_back(Upsert(bad));
      const Status s = store->ApplyBatch("pbx", Seq{1}, Seq{2}, b);
      INFO(s.ToString());
      REQUIRE(s.code() == Code::kInvalidInput);
      RequireCheckpoint(*store, "pbx", 1);
      RequireRows(*store, "pbx", {good});
    }
    const std::vector<CallRow> rows = {FullRow("pbx", "q", 1), bad};
    REQUIRE(store->ReplaceAll("pbx", rows, Seq{7}).code() == Code::kInvalidInput);
    RequireCheckpoint(*store, "pbx", 1);
    RequireRows(*store, "pbx", {good});
    // The half-built table went with the error.
    REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_new\\_%'") == "0");
  }
  // A node name libpq would truncate.
  const std::string nul_node("pbx\0x", 5);
  REQUIRE(store->ApplyBatch(nul_node, Seq{1}, Seq{2}, {}).code() == Code::kInvalidInput);
  REQUIRE(store->Checkpoint(nul_node).status().code() == Code::kInvalidInput);
  REQUIRE(store->AllRows(nul_node).status().code() == Code::kInvalidInput);
  REQUIRE(store->ReplaceAll(nul_node, {}, Seq{1}).code() == Code::kInvalidInput);
  RequireCheckpoint(*store, "pbx", 1);
  // The store is still usable.
  REQUIRE(store->ApplyBatch("pbx", Seq{1}, Seq{2}, batch).ok());
}

int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);  // bound, never listened, now closed: connections are refused
  return ntohs(addr.sin_port);
}

TEST_CASE("pg: an unreachable server is kUnavailable, not a crash", "[pg]") {
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(ClosedPort()) +
                          " user=postgres dbname=postgres connect_timeout=5";
  auto store = PgCallLogStore::Open(dsn);
  REQUIRE_FALSE(store.ok());
  INFO(store.status().ToString());
  REQUIRE(store.status().code() == Code::kUnavailable);
}

TEST_CASE("pg: a broken connection is kUnavailable, and the next call reconnects", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  std::vector<RowChange> batch = {Upsert(FullRow("pbx", "a", 1))};
  REQUIRE(store->ApplyBatch("pbx", Seq{0}, Seq{1}, batch).ok());

  const auto kill_sessions = [&] {
    REQUIRE(db.Exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()") == "1");
  };
  kill_sessions();
  const Status broken = store->ApplyBatch("pbx", Seq{1}, Seq{2}, batch);
  INFO(broken.ToString());
  REQUIRE(broken.code() == Code::kUnavailable);
  RequireCheckpoint(*store, "pbx", 1);  // reconnected
  REQUIRE(store->ApplyBatch("pbx", Seq{1}, Seq{2}, batch).ok());

  // Every entry point survives it.
  kill_sessions();
  REQUIRE(store->Checkpoint("pbx").status().code() == Code::kUnavailable);
  RequireRows(*store, "pbx", {FullRow("pbx", "a", 1)});
  kill_sessions();
  REQUIRE(store->AllRows("pbx").status().code() == Code::kUnavailable);
  const std::vector<CallRow> rows = {FullRow("pbx", "b", 2)};
  REQUIRE(store->ReplaceAll("pbx", rows, Seq{3}).ok());
  kill_sessions();
  REQUIRE(store->ReplaceAll("pbx", rows, Seq{4}).code() == Code::kUnavailable);
  RequireCheckpoint(*store, "pbx", 3);
  RequireRows(*store, "pbx", rows);
}

}  // namespace
}  // namespace callledger
