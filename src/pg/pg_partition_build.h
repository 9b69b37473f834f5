// Building a node's next call_logs partition for a rebuild (internal to
// pg/; PgCallLogStore::BeginReplace and ReplaceAll swap the result in).
//
// PartitionStream: the new table, filled while its rows are still being
// produced.
//
// The constructor creates the new table (CreateFreshTable) with all of
// call_logs' indexes on it while it is empty, and commits it. A thread of
// the stream's own connects and opens one binary COPY into the table, in a
// transaction; the rows given to Add are queued and sent as they come, so
// the server stores them and makes their index entries while the caller
// goes on producing the rest (a rebuild's fold). Finish sends the last
// rows, deletes the withdrawn ones, and commits: the table is then ready to
// be swapped in.
//
// Indexes first (IndexTiming::kBeforeRows), for a rebuild: the rows come
// in pieces during the whole fold, and making their index entries as they
// arrive is done by the time the fold ends instead of after it. At 10 k
// rows it costs the server about as much CPU as one sort per index after
// the COPY; at a million rows about twice as much (docs/benchmarks.md), so
// when all rows come at once (ReplaceAll) the indexes are made after the
// COPY instead (kAfterRows), in Finish. Only this one connection writes: two COPYs into one new
// table at once were slower than one (docs/benchmarks.md).
//
// Because the new table is committed before the swap, a rebuild that dies
// in between leaves it behind; CreateFreshTable removes such tables first.
// Callers serialize rebuilds (PgCallLogStore holds a session advisory lock
// for the whole of one).
//
// The COPY's transaction lasts as long as the caller produces rows (a whole
// fold: minutes for a large ledger). The stream's connection therefore
// turns statement_timeout and idle_in_transaction_session_timeout off for
// itself; while it runs, its snapshot keeps VACUUM from removing rows that
// died after it began, in every table of the database.
//
// Errors are libpqxx exceptions. A failure on the stream's connection is
// kept and rethrown by the next Add, or by Finish. A stream destroyed
// before Finish succeeded stops its thread and closes its connection (the
// server rolls the COPY back); dropping the table is the owner's job
// (DropTableQuietly on its own connection).
//
// Add and Finish are called from one thread, not the stream's own.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/call_row.h"

namespace callledger::pg {

// One index of call_logs, as statements for a new table.
struct IndexJob {
  std::string create;      // CREATE [UNIQUE] INDEX <fresh>_<suffix> ON <fresh> ...
  std::string constraint;  // ALTER TABLE ... ADD CONSTRAINT ... USING INDEX, or empty
};

// In `tx`: drops the tables named <partition>_new_... that are not
// partitions of call_logs (what a rebuild that died before its swap left),
// then creates `fresh` for `node`: the parent's columns and defaults, its
// CHECK constraints, and a CHECK on the node so that ATTACH skips its
// validation scan. Returns call_logs' indexes (read from the catalog, so
// that indexes added by later migrations come along) as statements for
// `fresh`, named <fresh>_<suffix of the parent's index name>; a primary key
// or unique constraint is a unique index plus an ADD CONSTRAINT ... USING
// INDEX.
std::vector<IndexJob> CreateFreshTable(pqxx::transaction_base& tx, const std::string& partition,
                                       const std::string& fresh, const std::string& node);

// Drops `table` if it exists; errors are swallowed (the next rebuild
// removes what this could not).
void DropTableQuietly(pqxx::connection& conn, const std::string& table) noexcept;

// When the new table's indexes are made (see PartitionStream).
enum class IndexTiming : std::uint8_t {
  kBeforeRows,  // on the empty table: entries as the rows arrive
  kAfterRows,   // in Finish, after the COPY: one sort per index
};

struct PartitionBuildOptions {
  std::string dsn;               // for the stream's own connection
  std::string application_name;  // reported in pg_stat_activity
  IndexTiming indexes = IndexTiming::kBeforeRows;
};

class LibpqConnection;

class PartitionStream {
 public:
  // `main` is the store's connection, idle; it is used only here, to create
  // `fresh` for `node` (dropping what earlier rebuilds left of
  // `partition`, see CreateFreshTable). Rows must have passed the store's
  // CheckRow.
  PartitionStream(pqxx::connection& main, const PartitionBuildOptions& options,
                  const std::string& partition, const std::string& fresh, const std::string& node);
  ~PartitionStream();
  PartitionStream(const PartitionStream&) = delete;
  PartitionStream& operator=(const PartitionStream&) = delete;

  // Queues `rows` for the COPY and returns; waits first while
  // kMaxQueuedRows rows are queued (the server is behind: the caller then
  // waits for it rather than holding ever more rows in memory).
  void Add(std::vector<CallRow> rows);
  static constexpr std::size_t kMaxQueuedRows = 16384;

  // Waits until the queued rows are sent, then deletes the rows whose
  // call_id is in `withdrawn`, writes `rows`, and commits.
  void Finish(std::span<const CallRow* const> rows, std::span<const std::string> withdrawn);

 private:
  void Run(const PartitionBuildOptions& options);
  void Flush();

  const std::string qfresh_;
  const std::string node_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<CallRow>> queue_;  // guarded by mu_
  bool table_ready_ = false;                // guarded by mu_
  bool closing_ = false;                    // guarded by mu_: send what is queued, then return
  std::atomic<bool> stop_{false};           // set under mu_: return at once
  std::size_t queued_rows_ = 0;             // guarded by mu_: rows in queue_
  std::exception_ptr error_;                // guarded by mu_
  // The thread's while it runs; the caller's after it is joined.
  std::unique_ptr<LibpqConnection> conn_;
  std::string data_;               // COPY bytes not sent yet
  std::vector<IndexJob> indexes_;  // to make in Finish (IndexTiming::kAfterRows)
  std::thread thread_;
};

}  // namespace callledger::pg
