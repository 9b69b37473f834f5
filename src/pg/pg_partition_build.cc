#include "pg/pg_partition_build.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <thread>
#include <utility>

#include "pg/libpq_connection.h"
#include "pg/pg_copy_binary.h"
#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {

// One index of call_logs, as a statement for the new table.
struct IndexJob {
  std::string create;      // CREATE [UNIQUE] INDEX <fresh>_<suffix> ON <fresh> ...
  std::string constraint;  // ALTER TABLE ... ADD CONSTRAINT ... USING INDEX, or empty
  bool partial = false;
  int key_columns = 0;
};

// call_logs' indexes (read from the catalog, so that indexes added by later
// migrations come along), for `table`. A primary key or unique constraint is
// built as a plain unique index first and turned into the constraint after
// all indexes are built: ADD CONSTRAINT ... PRIMARY KEY would lock the table
// against the other connections' CREATE INDEX, ADD ... USING INDEX only
// changes the catalog. The order is the order to start them in: the largest
// first, so that the connections finish close together.
std::vector<IndexJob> IndexJobs(pqxx::transaction_base& tx, const std::string& table) {
  const pqxx::result defs = tx.exec(
      "SELECT ci.relname, pg_get_indexdef(i.indexrelid), con.contype, i.indpred IS NOT NULL, "
      "       i.indnkeyatts "
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
    job.create = def.substr(0, kind_end) + " INDEX " + name + " ON " + qtable + def.substr(using_at);
    if (!row[2].is_null()) {
      const std::string type = row[2].as<std::string>();
      if (type != "p" && type != "u") {
        throw pqxx::internal_error("unexpected constraint type '" + type + "' on " + def);
      }
      job.constraint = "ALTER TABLE " + qtable + " ADD CONSTRAINT " + name +
                       (type == "p" ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " + name;
    }
    job.partial = row[3].as<bool>();
    job.key_columns = row[4].as<int>();
    jobs.push_back(std::move(job));
  }
  // Partial indexes cover few rows; otherwise more key columns, more to compare.
  std::stable_sort(jobs.begin(), jobs.end(), [](const IndexJob& a, const IndexJob& b) {
    if (a.partial != b.partial) return !a.partial;
    return a.key_columns > b.key_columns;
  });
  return jobs;
}

// COPYs `rows` into `table` in one transaction, in PostgreSQL's binary
// format (pg_copy_binary.h: the server parses nothing), in 64 KiB messages.
void CopyRows(LibpqConnection& conn, const std::string& table,
              std::span<const CallRow* const> rows) {
  conn.Exec("BEGIN");
  conn.CopyBegin("COPY " + table + " (" + ColumnList() + ") FROM STDIN (FORMAT binary)");
  constexpr std::size_t kMessageBytes = 64 << 10;
  std::string data;
  data.reserve(kMessageBytes + 4096);
  AppendCopyBinaryHeader(&data);
  for (const CallRow* r : rows) {
    AppendCopyBinaryRow(*r, &data);
    if (data.size() >= kMessageBytes) {
      conn.CopyPut(data);
      data.clear();
    }
  }
  AppendCopyBinaryTrailer(&data);
  conn.CopyPut(data);
  conn.CopyEnd();
  conn.Exec("COMMIT");
}

// Runs task(0) .. task(n - 1) at once, task 0 on the calling thread, and
// rethrows the first error once all have returned.
void RunConcurrently(std::size_t n, const std::function<void(std::size_t)>& task) {
  std::vector<std::exception_ptr> errors(n);
  const auto run = [&](std::size_t i) {
    try {
      task(i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 1; i < n; ++i) threads.emplace_back(run, i);
    run(0);
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
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

}  // namespace

PartitionBuilder::PartitionBuilder(pqxx::connection& main, PartitionBuildOptions options)
    : main_(main), options_(std::move(options)) {}

void PartitionBuilder::DropQuietly(const std::string& table) noexcept {
  try {
    if (!main_.is_open()) return;
    pqxx::nontransaction tx(main_);
    tx.exec("DROP TABLE IF EXISTS " + tx.quote_name(table));
  } catch (...) {
    // Left for the next rebuild, which removes it.
  }
}

void PartitionBuilder::Build(const std::string& partition, const std::string& fresh,
                             const std::string& node, std::span<const CallRow* const> rows) {
  const auto workers = static_cast<std::size_t>(std::max(1, options_.connections));
  // The workers connect (a few milliseconds each) while the table is made
  // on the store's connection.
  std::vector<std::unique_ptr<LibpqConnection>> conns(workers);
  std::vector<IndexJob> indexes;
  std::string qfresh;
  try {
    RunConcurrently(1 + workers, [&](std::size_t i) {
      if (i > 0) {
        conns[i - 1] =
            std::make_unique<LibpqConnection>(options_.dsn, options_.application_name + " rebuild");
        return;
      }
      pqxx::work tx(main_, "rebuild_create");
      DropLeftoversIn(tx, partition);
      qfresh = tx.quote_name(fresh);
      tx.exec("CREATE TABLE " + qfresh +
              " (LIKE call_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
              "CONSTRAINT call_logs_partition_node CHECK (node = " + tx.quote(node) + "))");
      indexes = IndexJobs(tx, fresh);
      tx.commit();
    });
    // One COPY, on one connection: two COPYs into the same new table at once
    // took longer than one (measured with 10,472 rows, docs/benchmarks.md;
    // probably contention for extending the table).
    CopyRows(*conns.front(), qfresh, rows);
    // After the copy: one sort per index, not an insertion per row. Each
    // connection takes the next index when it is free; after an error no
    // new one starts.
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    RunConcurrently(workers, [&](std::size_t w) {
      try {
        for (std::size_t j; !failed && (j = next++) < indexes.size();) {
          conns[w]->Exec(indexes[j].create);
        }
      } catch (...) {
        failed = true;
        throw;
      }
    });
    pqxx::work tx(main_, "rebuild_constraints");
    for (const IndexJob& job : indexes) {
      if (!job.constraint.empty()) tx.exec(job.constraint);
    }
    tx.commit();
  } catch (...) {
    DropQuietly(fresh);
    throw;
  }
}

}  // namespace callledger::pg
