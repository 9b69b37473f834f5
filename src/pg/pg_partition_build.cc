#include "pg/pg_partition_build.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <utility>

#include "pg/libpq_connection.h"
#include "pg/pg_copy_binary.h"
#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {
// call_logs' indexes (read from the catalog, so that indexes added by later
// migrations come along), for `table`. A primary key or unique constraint is
// a unique index plus an ADD CONSTRAINT ... USING INDEX, which names the
// constraint after the index (as the swap's renames expect).
std::vector<IndexJob> IndexJobs(pqxx::transaction_base& tx, const std::string& table) {
  const pqxx::result defs = tx.exec(
      "SELECT ci.relname, pg_get_indexdef(i.indexrelid), con.contype "
      "FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid "
      "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid "
      "WHERE i.indrelid = 'call_logs'::regclass ORDER BY ci.relname");
  const std::string qtable = tx.quote_name(table);
  std::vector<IndexJob> jobs;
  for (const auto& row : defs) {
    std::string suffix = row[0].as<std::string>();
    if (suffix.rfind("call_logs_", 0) == 0) suffix.erase(0, 10);
    const std::string name = tx.quote_name(table + "_" + suffix);
    // "CREATE [UNIQUE] INDEX name ON ONLY public.call_logs USING btree (...) [WHERE ...]"
    const std::string def = row[1].as<std::string>();
    const auto kind_end = def.find(" INDEX ");
    const auto using_at = def.find(" USING ");
    if (kind_end == std::string::npos || using_at == std::string::npos) {
      throw pqxx::internal_error("unexpected index definition: " + def);
    }
    IndexJob job;
    job.create =
        def.substr(0, kind_end) + " INDEX " + name + " ON " + qtable + def.substr(using_at);
    if (!row[2].is_null()) {
      const std::string type = row[2].as<std::string>();
      if (type != "p" && type != "u") {
        throw pqxx::internal_error("unexpected constraint type '" + type + "' on " + def);
      }
      job.constraint = "ALTER TABLE " + qtable + " ADD CONSTRAINT " + name +
                       (type == "p" ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " + name;
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

// Drops tables named <partition>_new_... that are not partitions of
// call_logs.
void DropLeftoversIn(pqxx::transaction_base& tx, const std::string& partition) {
  // LIKE escapes: partition names hold only [a-z0-9_], and "_" is a wildcard.
  std::string pattern;
  for (char c : partition + "_new_") {
    if (c == '_' || c == '%' || c == '\\') pattern += '\\';
    pattern += c;
  }
  const pqxx::result left = tx.exec_params(
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname LIKE $1 "
      "AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)",
      pattern + "%");
  for (const auto& row : left) tx.exec("DROP TABLE " + tx.quote_name(row[0].as<std::string>()));
}

// COPY data goes out in messages of about this size (and whatever is
// queued when the queue runs dry, so that the server is never left waiting
// for a message to fill).
constexpr std::size_t kMessageBytes = 64 << 10;
// Withdrawn call_ids per DELETE statement.
constexpr std::size_t kDeleteBatch = 1000;

std::string CopySql(const std::string& qtable) {
  return "COPY " + qtable + " (" + ColumnList() + ") FROM STDIN (FORMAT binary)";
}

}  // namespace

std::vector<IndexJob> CreateFreshTable(pqxx::transaction_base& tx, const std::string& partition,
                                       const std::string& fresh, const std::string& node) {
  DropLeftoversIn(tx, partition);
  tx.exec("CREATE TABLE " + tx.quote_name(fresh) +
          " (LIKE call_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
          "CONSTRAINT call_logs_partition_node CHECK (node = " +
          tx.quote(node) + "))");
  return IndexJobs(tx, fresh);
}

void DropTableQuietly(pqxx::connection& conn, const std::string& table) noexcept {
  try {
    if (!conn.is_open()) return;
    pqxx::nontransaction tx(conn);
    tx.exec("DROP TABLE IF EXISTS " + tx.quote_name(table));
  } catch (...) {
    // Left for the next rebuild, which removes it.
  }
}

PartitionStream::PartitionStream(pqxx::connection& main, const PartitionBuildOptions& options,
                                 const std::string& partition, const std::string& fresh,
                                 const std::string& node)
    : qfresh_(main.quote_name(fresh)), node_(node) {
  data_.reserve(kMessageBytes + 4096);
  // The thread connects while the table is made here.
  thread_ = std::thread([this, options] { Run(options); });
  try {
    pqxx::work tx(main, "rebuild_create");
    indexes_ = CreateFreshTable(tx, partition, fresh, node);
    if (options.indexes == IndexTiming::kBeforeRows) {
      // Empty, so every index is made at once; the primary key's ADD
      // CONSTRAINT ... USING INDEX only changes the catalog.
      for (const IndexJob& job : indexes_) {
        tx.exec(job.create);
        if (!job.constraint.empty()) tx.exec(job.constraint);
      }
      indexes_.clear();
    }
    tx.commit();
  } catch (...) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    throw;
  }
  {
    std::lock_guard lock(mu_);
    table_ready_ = true;
  }
  cv_.notify_all();
}

PartitionStream::~PartitionStream() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // Closing the connection ends its transaction: an unfinished COPY is
  // rolled back.
  conn_.reset();
}

void PartitionStream::Run(const PartitionBuildOptions& options) {
  try {
    auto conn =
        std::make_unique<LibpqConnection>(options.dsn, options.application_name + " rebuild");
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return table_ready_ || stop_; });
      if (stop_) return;
    }
    conn_ = std::move(conn);
    // The COPY below lasts the whole fold: no server-side limit may cut it.
    conn_->Exec("SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0");
    conn_->Exec("BEGIN");
    conn_->CopyBegin(CopySql(qfresh_));
    AppendCopyBinaryHeader(&data_);
    std::deque<std::vector<CallRow>> taken;
    while (true) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || closing_ || stop_; });
        if (stop_ || queue_.empty()) return;  // stopped, or closing with nothing left
        taken.swap(queue_);
        queued_rows_ = 0;
      }
      cv_.notify_all();  // room for Add
      for (const std::vector<CallRow>& rows : taken) {
        for (const CallRow& r : rows) {
          AppendCopyBinaryRow(r, &data_);
          if (data_.size() >= kMessageBytes) {
            if (stop_) return;
            Flush();
          }
        }
      }
      taken.clear();
      // All of it to the server now, so that it works while the caller
      // produces more.
      Flush();
      conn_->CopyFlush();
    }
  } catch (...) {
    {
      std::lock_guard lock(mu_);
      error_ = std::current_exception();
    }
    cv_.notify_all();  // an Add waiting for room
  }
}

void PartitionStream::Flush() {
  if (data_.empty()) return;
  conn_->CopyPut(data_);
  data_.clear();
}

void PartitionStream::Add(std::vector<CallRow> rows) {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queued_rows_ < kMaxQueuedRows || error_; });
    if (error_) std::rethrow_exception(error_);
    queued_rows_ += rows.size();
    queue_.push_back(std::move(rows));
  }
  cv_.notify_all();
}

void PartitionStream::Finish(std::span<const CallRow* const> rows,
                             std::span<const std::string> withdrawn) {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (error_) std::rethrow_exception(error_);
  // The connection is this thread's now. Rows that replace withdrawn ones
  // can go in only after those are deleted, and the DELETE only after the
  // COPY that brought them: then the rest goes in a second COPY.
  if (!withdrawn.empty()) {
    AppendCopyBinaryTrailer(&data_);
    Flush();
    conn_->CopyEnd();
    for (std::size_t i = 0; i < withdrawn.size(); i += kDeleteBatch) {
      // With the node, so that the primary key (node, call_id) finds them.
      std::string sql =
          "DELETE FROM " + qfresh_ + " WHERE node = " + conn_->Literal(node_) + " AND call_id IN (";
      for (std::size_t k = i; k < std::min(withdrawn.size(), i + kDeleteBatch); ++k) {
        sql += (k == i ? "" : ", ") + conn_->Literal(withdrawn[k]);
      }
      conn_->Exec(sql + ")");
    }
    conn_->CopyBegin(CopySql(qfresh_));
    AppendCopyBinaryHeader(&data_);
  }
  for (const CallRow* r : rows) {
    AppendCopyBinaryRow(*r, &data_);
    if (data_.size() >= kMessageBytes) Flush();
  }
  AppendCopyBinaryTrailer(&data_);
  Flush();
  conn_->CopyEnd();
  for (const IndexJob& job : indexes_) conn_->Exec(job.create);
  for (const IndexJob& job : indexes_) {
    if (!job.constraint.empty()) conn_->Exec(job.constraint);
  }
  conn_->Exec("COMMIT");
}

}  // namespace callledger::pg
