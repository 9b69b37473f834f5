// Migration 5 (evidence and end_reason, src/pg/migrations.cc) on a real
// PostgreSQL (CALL_LEDGER_TEST_PG): a database an older build left at
// version 4, with rows in two partitions, migrates and reads back what the
// older columns said; the store then writes and rebuilds every value of
// the new columns, and the columns refuse what no rule writes.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "pg/migrations.h"
#include "pg/pg_call_log_store.h"
#include "pg/pg_row_codec.h"
#include "pg_store_checks.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"
#include "support/store_checks.h"

namespace callledger {
namespace {

using testing::FullRow;
using testing::OpenStore;
using testing::RequireCheckpoint;
using testing::RequireRows;
using testing::SparseRow;
using testing::TestDatabase;
using testing::Upsert;

// The row as a version-4 build wrote it: the 24 columns it knew.
std::string InsertV4(pqxx::transaction_base& tx, const CallRow& r) {
  const auto time = [&](std::int64_t us) {
    return us == 0 ? std::string("NULL") : tx.quote(pg::FormatTimestamp(us));
  };
  const auto text = [&](const std::string& v) {
    return v.empty() ? std::string("NULL") : tx.quote(v);
  };
  const auto number = [](const auto& v) { return v ? std::to_string(*v) : std::string("NULL"); };
  const auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  return "INSERT INTO call_logs (call_id, direction, from_number, to_number, start_time, "
         "end_time, duration, status, recording_path, channel_id, node, caller_name, "
         "answer_time, ring_seconds, talk_seconds, answered, disposition, hangup_cause, "
         "hangup_cause_txt, end_estimated, args_ok, first_seq, last_seq, projector_version) "
         "VALUES (" +
         tx.quote(r.call_id) + ", " + text(r.direction) + ", " + text(r.from_number) + ", " +
         text(r.to_number) + ", " + time(r.start_us) + ", " + time(r.end_us) + ", " +
         number(r.duration_s) + ", " + tx.quote(std::string(CallStatusName(r.status))) + ", " +
         text(r.recording_path) + ", " + tx.quote(r.channel_id) + ", " + tx.quote(r.node) + ", " +
         text(r.caller_name) + ", " + time(r.answer_us) + ", " + number(r.ring_s) + ", " +
         number(r.talk_s) + ", " + flag(r.answered) + ", " + text(r.disposition) + ", " +
         number(r.hangup_cause) + ", " + text(r.hangup_cause_txt) + ", " + flag(r.end_estimated) +
         ", " + flag(r.args_ok) + ", " + std::to_string(r.first_seq.value) + ", " +
         std::to_string(r.last_seq.value) + ", " + std::to_string(r.projector_version) + ")";
}

// Migrations 1-4 as an older build applied them, a partition per node
// named as the store names them, `rows` and a checkpoint per node.
void MakeVersion4(const TestDatabase& db, const std::vector<CallRow>& rows) {
  pqxx::connection conn(db.dsn());
  pqxx::work tx(conn);
  tx.exec(
      "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  for (const pg::Migration& m : pg::Migrations()) {
    if (m.version > 4) break;
    tx.exec(std::string(m.sql));
    if (m.fill != nullptr) m.fill(tx);
    tx.exec("INSERT INTO schema_migrations (version) VALUES (" + std::to_string(m.version) + ")");
  }
  for (const std::string& node : std::vector<std::string>{"pbx", "other"}) {
    tx.exec(
        "CREATE TABLE " +
        tx.quote_name("call_logs_n_" + db.Exec("SELECT left(md5(" + tx.quote(node) + "), 16)")) +
        " PARTITION OF call_logs FOR VALUES IN (" + tx.quote(node) + ")");
    tx.exec("INSERT INTO projector_checkpoint (node, last_seq) VALUES (" + tx.quote(node) +
            ", 70)");
  }
  for (const CallRow& r : rows) tx.exec(InsertV4(tx, r));
  tx.commit();
}

// What version 5 reads from a version-4 row: evidence ari; a finished
// row's end_reason from end_estimated (only a reconcile estimated an end),
// NULL for a live one.
CallRow AsMigrated(CallRow r) {
  r.evidence = Evidence::kAri;
  r.agent.clear();  // migration 6: no agent known until a rebuild
  r.agents_tried.clear();
  r.transferred_to.clear();
  r.end_reason = r.status != CallStatus::kFinished ? EndReason::kNone
                 : r.end_estimated                 ? EndReason::kGap
                                                   : EndReason::kHangup;
  return r;
}

TEST_CASE("pg: migration 5 gives a version-4 database's rows evidence and end_reason", "[pg]") {
  TestDatabase db;
  CallRow talking = SparseRow("pbx", "talking");
  talking.status = CallStatus::kTalking;
  talking.answered = true;
  talking.answer_us = talking.start_us + 4'000'000;
  talking.ring_s = 4;
  const std::vector<CallRow> pbx = {FullRow("pbx", "ended", 1), FullRow("pbx", "gone", 3),
                                    SparseRow("pbx", "ringing"), talking};
  const std::vector<CallRow> other = {FullRow("other", "gone-too", 6),
                                      FullRow("other", "ended-too", 2)};
  std::vector<CallRow> all = pbx;
  all.insert(all.end(), other.begin(), other.end());
  MakeVersion4(db, all);

  auto store = OpenStore(db);
  REQUIRE(db.Exec("SELECT max(version) FROM schema_migrations") ==
          std::to_string(pg::kSchemaVersion));
  std::vector<CallRow> pbx_after, other_after;
  for (const CallRow& r : pbx) pbx_after.push_back(AsMigrated(r));
  for (const CallRow& r : other) other_after.push_back(AsMigrated(r));
  CHECK(pbx_after[0].end_reason == EndReason::kHangup);  // the fixture covers every case
  CHECK(pbx_after[1].end_reason == EndReason::kGap);
  CHECK(pbx_after[2].end_reason == EndReason::kNone);
  RequireRows(*store, "pbx", pbx_after);
  RequireRows(*store, "other", other_after);
  RequireCheckpoint(*store, "pbx", 70);
  // In SQL too: every partition has the columns, filled.
  REQUIRE(db.Exec("SELECT string_agg(call_id || '=' || evidence || '/' || "
                  "coalesce(end_reason, 'NULL'), ',' ORDER BY call_id) FROM call_logs") ==
          "ended=ari/hangup,ended-too=ari/hangup,gone=ari/gap,gone-too=ari/gap,"
          "ringing=ari/NULL,talking=ari/NULL");

  // The store writes every value after the migration, row by row and by a
  // rebuild's binary COPY into a new partition.
  CallRow restarted = FullRow("pbx", "restarted", 6);
  restarted.evidence = Evidence::kCel;
  REQUIRE(restarted.end_reason == EndReason::kPbxRestart);
  std::vector<RowChange> batch = {Upsert(restarted), Upsert(FullRow("pbx", "healed", 1))};
  REQUIRE(store->ApplyBatch("pbx", Seq{70}, Seq{71}, batch).ok());
  pbx_after.push_back(restarted);
  pbx_after.push_back(FullRow("pbx", "healed", 1));
  RequireRows(*store, "pbx", pbx_after);
  std::vector<CallRow> rebuilt;
  for (CallRow r : pbx_after) {
    r.node = "other";
    rebuilt.push_back(r);
  }
  REQUIRE(store->ReplaceAll("other", rebuilt, Seq{81}).ok());
  RequireRows(*store, "other", rebuilt);
}

TEST_CASE("pg: evidence and end_reason refuse values no rule writes", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  std::vector<RowChange> batch = {Upsert(FullRow("pbx", "a", 1))};
  REQUIRE(store->ApplyBatch("pbx", Seq{0}, Seq{1}, batch).ok());
  CHECK_THROWS(db.Exec("UPDATE call_logs SET evidence = NULL"));
  CHECK_THROWS(db.Exec("UPDATE call_logs SET evidence = 'guess'"));
  CHECK_THROWS(db.Exec("UPDATE call_logs SET end_reason = 'crash'"));
  CHECK(db.Exec("UPDATE call_logs SET end_reason = NULL, evidence = 'ari' RETURNING call_id") ==
        "a");
  // A value this build cannot read (the constraint gone, as a newer build
  // might have it) is a data loss, not a guess.
  db.Exec("ALTER TABLE call_logs DROP CONSTRAINT call_logs_end_reason_check");
  db.Exec("UPDATE call_logs SET end_reason = 'crash'");
  const auto rows = store->AllRows("pbx");
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.status().code() == Code::kDataLoss);
  CHECK_THAT(rows.status().message(), Catch::Contains("end_reason 'crash'"));
}

}  // namespace
}  // namespace callledger
