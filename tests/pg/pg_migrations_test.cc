// PgCallLogStore's schema on a real PostgreSQL (CALL_LEDGER_TEST_PG):
// migrations on a fresh database, once when several stores open it at once,
// a newer schema refused, and one partition of call_logs per node.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "pg/migrations.h"
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
using testing::TestDatabase;
using testing::Upsert;

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
    // The primary key and six search indexes (migration 4 dropped one,
    // migration 6 added the agent's).
    REQUIRE(db.Exec("SELECT count(*) FROM pg_indexes WHERE tablename = 'call_logs'") == "7");
    REQUIRE(db.Exec("SELECT count(*) FROM pg_indexes WHERE tablename = 'missed_open'") == "3");
    REQUIRE(db.Exec("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute "
                    "WHERE attrelid = 'call_logs'::regclass AND attnum > 0") ==
            "call_id,direction,from_number,to_number,start_time,end_time,duration,status,"
            "recording_path,channel_id,node,caller_name,answer_time,ring_seconds,talk_seconds,"
            "answered,disposition,hangup_cause,hangup_cause_txt,end_estimated,args_ok,first_seq,"
            "last_seq,projector_version,evidence,end_reason,agent,agents_tried,transferred_to");
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
  REQUIRE(db.Exec(partition_indexes) == "7");

  // After a rebuild: the same name, the same indexes, all attached to the
  // parent's, and no leftover tables.
  const std::vector<CallRow> rows = {FullRow(node, "b", 2)};
  REQUIRE(store->ReplaceAll(node, rows, Seq{5}).ok());
  REQUIRE(db.Exec(partitions) == expected_name);
  REQUIRE(db.Exec(partition_indexes) == "7");
  REQUIRE(db.Exec("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                  "WHERE c.relname LIKE '" +
                  expected_name + "%' AND c.relkind = 'i'") == "7");
  REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_new\\_%'") == "0");
  REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname LIKE '" + expected_name +
                  "\\_%' AND relname NOT LIKE '%pkey' AND relname NOT LIKE '%idx'") == "0");
}

}  // namespace
}  // namespace callledger
