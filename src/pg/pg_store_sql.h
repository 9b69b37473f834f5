// What PgCallLogStore's two source files share (internal to src/pg):
// pg_call_log_store.cc (connection, checkpoint, live batches) and
// pg_call_log_rebuild.cc (ReplaceAll, BeginReplace, statistics). Checks a
// row must pass before it is sent, the statements prepared on every
// connection, the advisory lock keys, and the catalog lookups of a rebuild.
#pragma once

#include <cstdint>
#include <limits>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <string_view>

#include "core/call_row.h"
#include "core/status.h"
#include "pg/migrations.h"

namespace callledger::pg {

constexpr std::uint64_t kMaxSeq = std::numeric_limits<std::int64_t>::max();

// pg_advisory_lock key held by a rebuild for the whole of it (next to the
// migrations' key).
constexpr long long kRebuildLockKey = kMigrationLockKey + 1;
// Keeps the full recompute of missed_open apart from live batches
// (pg/pg_missed_open.h): every ApplyBatch holds it shared from its first
// statement, a rebuild's swap takes it exclusively before it touches
// call_logs. Taken first by both, before any lock on call_logs or the
// checkpoint row, so the two orders agree.
constexpr long long kMissedOpenLockKey = kMigrationLockKey + 2;

// libpq passes text as C strings: a NUL would silently truncate it.
bool HasNul(std::string_view s);
Status CheckNode(std::string_view node);
// What PostgreSQL would refuse or silently alter, caught before it is sent:
// kInvalidInput naming the row.
Status CheckRow(const CallRow& r, std::string_view node);

// `digits` random hex digits (names of a rebuild's new tables).
std::string RandomHex(std::size_t digits);

// Prepared on every new connection (PrepareStatements).
inline constexpr const char* kReadCheckpoint = "cl_read_checkpoint";
inline constexpr const char* kCasUpdate = "cl_cas_update";
inline constexpr const char* kCasInsert = "cl_cas_insert";
inline constexpr const char* kSetCheckpoint = "cl_set_checkpoint";
inline constexpr const char* kPartitionName = "cl_partition_name";
inline constexpr const char* kPartitionExists = "cl_partition_exists";
inline constexpr const char* kLockNode = "cl_lock_node";
inline constexpr const char* kAllRows = "cl_all_rows";
inline constexpr const char* kLockMissedOpenShared = "cl_lock_missed_open_shared";
void PrepareStatements(pqxx::connection& c);

// call_logs_n_<first 16 hex of md5(node)>.
std::string PartitionName(pqxx::transaction_base& tx, std::string_view node);
// Whether `name` is a partition of call_logs now.
bool PartitionExists(pqxx::transaction_base& tx, const std::string& name);
// The key columns of call_logs' indexes, quoted and comma-separated: the
// columns readers filter and sort on.
std::string IndexedColumns(pqxx::transaction_base& tx);
// ALTER INDEX statements that rename <fresh>_x indexes to <partition>_x.
std::string RenameIndexesSql(pqxx::transaction_base& tx, const std::string& partition,
                             const std::string& fresh);

}  // namespace callledger::pg
