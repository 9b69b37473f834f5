// PgCallLogStore: the CallLogStore port (core/call_log_store.h) on
// PostgreSQL, the projection's production home (DESIGN 4, 5, 8).
//
// Tables (see pg/migrations.h): call_logs, list-partitioned by node, one
// partition per node named call_logs_n_<first 16 hex of md5(node)> and
// created on first use; projector_checkpoint, one row per node.
//
// ApplyBatch is one transaction: a compare-and-set of the node's checkpoint
// (0 rows matched -> rollback, kAborted), then the batch's deletes and
// upserts coalesced by call_id (the last change of a key wins), then commit.
// Small batches go as one multi-row INSERT ... ON CONFLICT DO UPDATE;
// batches with more than `PgOptions::staging_threshold` upserts are COPYed
// into a temporary staging table and merged with one INSERT ... SELECT.
// The same transaction keeps missed_open (pg/pg_missed_open.h): a few
// set-based statements per batch, none when no row changed what it says
// about a missed call or a contact.
//
// BeginReplace (rebuild) creates a new table with the parent's indexes and
// COPYs the rows given to Add into it while the caller produces the rest,
// on a connection of its own (pg/pg_partition_build.h); Finish adds the
// rest and deletes withdrawn rows, then, in one transaction, recomputes
// missed_open for the rows as they will be (1.1-1.3 s per million rows of
// all nodes, during which live batches of every node wait; readers do not),
// detaches and drops the node's old partition, attaches the new one and
// sets the checkpoint. ReplaceAll is the same with every row given to
// Finish, and the indexes made after its COPY rather than before. Readers
// see the old rows or the new ones, never a mix. The swap holds an ACCESS
// EXCLUSIVE lock on call_logs for a few milliseconds; while it waits for
// running readers, others queue behind it, so each wait is bounded
// (PgOptions::swap_lock_timeout) and retried. Rebuilds run one at a time
// per database (an advisory lock, from BeginReplace to the end), whatever
// their node.
//
// Times: CallRow times are UTC microseconds, 0 = NULL; they are written as
// timestamptz text with an explicit +00 offset and read back through
// to_char(... AT TIME ZONE 'UTC'), both exact to the microsecond. Empty
// optional text columns are stored as NULL (as the row format renders them)
// and come back empty.
//
// Errors (libpqxx exceptions never escape):
//   kUnavailable        the server cannot be reached, the connection broke,
//                       or a lock wait timed out; back off and call again
//                       (a broken connection is reopened by the next call).
//   kAborted            the checkpoint was not `expected`, or a concurrent
//                       transaction won (serialization failure, deadlock,
//                       unique violation): reload and retry.
//   kInvalidInput       a row the database refuses (bad UTF-8, NUL bytes, a
//                       number out of range, a row of another node).
//   kFailedPrecondition the database schema is newer than this build.
//   kDataLoss           a stored value this build cannot read.
//   kInternal           anything else (a bug, or a schema changed by hand).
//
// Not thread-safe: one connection, used by one thread (one runner per node).
// Several stores, in one process or many, may share a database.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/connection>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_log_store.h"

namespace callledger::pg {

enum class IndexTiming : std::uint8_t;

struct PgOptions {
  // ApplyBatch: above this many upserts (after coalescing) a batch goes
  // through COPY into a staging table and one merge, below it as multi-row
  // INSERTs. Measured on loopback (2 cores): the two cross at 30-50 rows;
  // at 100 rows COPY is ~1.5x faster, at 1000 ~1.7x.
  std::size_t staging_threshold = 40;
  // Rows per multi-row INSERT statement (libpq allows 65535 parameters; a
  // row has 26).
  std::size_t rows_per_statement = 500;
  // ReplaceAll and BeginReplace: how long one attempt at the swap may wait for readers to let
  // go of call_logs (every reader and writer of call_logs queues behind a
  // waiting swap), and how many attempts it makes before giving up with
  // kUnavailable (the whole rebuild is then rolled back).
  std::chrono::milliseconds swap_lock_timeout{2'000};
  int swap_attempts = 10;
  // Reported in pg_stat_activity.
  std::string application_name = "call-ledger";
  // BeginReplace / ReplaceAll: called (on the caller's thread) when another
  // rebuild of the database holds the rebuild lock, before waiting for it,
  // so that a tool can say why it is not moving.
  std::function<void()> on_rebuild_wait;
};

class PgCallLogStore final : public CallLogStore {
 public:
  // Connects to `dsn` (a libpq connection string or URI; give it a
  // connect_timeout, or libpq waits as long as the OS does for an unreachable
  // host) and applies the migrations. kUnavailable when the server cannot be reached;
  // kFailedPrecondition when its schema is newer than this build.
  static Result<std::unique_ptr<PgCallLogStore>> Open(const std::string& dsn,
                                                      PgOptions options = {});

  ~PgCallLogStore() override;
  PgCallLogStore(const PgCallLogStore&) = delete;
  PgCallLogStore& operator=(const PgCallLogStore&) = delete;

  Result<Seq> Checkpoint(std::string_view node) override;
  Status ApplyBatch(std::string_view node, Seq expected, Seq next,
                    std::span<const RowChange> changes) override;
  Status ReplaceAll(std::string_view node, std::span<const CallRow> rows, Seq checkpoint) override;
  Result<std::unique_ptr<RowReplacement>> BeginReplace(std::string_view node) override;
  Result<std::vector<CallRow>> AllRows(std::string_view node) override;
  // Both in one REPEATABLE READ, read-only transaction.
  Result<CheckpointRows> RowsAtCheckpoint(std::string_view node) override;
  // ANALYZE of the node's partition (the columns readers filter and sort on).
  Status RefreshStatistics(std::string_view node) override;

 private:
  class RebuildLock;
  class Replacement;
  friend class Replacement;

  PgCallLogStore(std::string dsn, PgOptions options);

  // Connects (and migrates) if there is no live connection.
  Status EnsureConnected();
  // Creates the node's partition unless it is known to exist.
  void EnsurePartition(std::string_view node);
  // Runs `body` and turns any exception into a Status; a broken connection
  // is dropped so that the next call reconnects.
  template <typename F>
  auto Guard(std::string_view what, F&& body) -> decltype(body());
  Status TranslateCurrentException(std::string_view what);

  Status DoApplyBatch(std::string_view node, Seq expected, Seq next,
                      std::span<const RowChange* const> upserts,
                      std::span<const std::string* const> deletes);
  Result<std::unique_ptr<RowReplacement>> StartReplacement(std::string_view node,
                                                           IndexTiming indexes);
  // The swap of a replacement: `fresh` (built) becomes the node's partition.
  void Swap(const std::string& node, const std::string& partition, const std::string& fresh,
            Seq checkpoint);

  const std::string dsn_;
  const PgOptions options_;
  std::unique_ptr<pqxx::connection> conn_;
  std::set<std::string, std::less<>> partitions_;  // nodes whose partition exists
  std::uint64_t connection_generation_ = 0;        // +1 for every new connection
  bool replacing_ = false;                         // a Replacement holds the rebuild lock
};

template <typename F>
auto PgCallLogStore::Guard(std::string_view what, F&& body) -> decltype(body()) {
  try {
    RETURN_IF_ERROR(EnsureConnected());
    return body();
  } catch (...) {
    return TranslateCurrentException(what);
  }
}

}  // namespace callledger::pg
