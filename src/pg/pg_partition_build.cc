#include "pg/pg_partition_build.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <thread>
#include <utility>

#include "pg/pg_copy_text.h"
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

// COPYs `rows` into `table` in one transaction, rendered by pg_copy_text.h
// and sent in 64 KiB messages. libpqxx 6.4 offers COPY data only row by row
// through stream_to, which takes every value as a string of its own and
// escapes it again: about half of a rebuild's COPY time at 10,000 rows
// (docs/benchmarks.md). Its deprecated tablewriter still sends raw text, and
// one "line" of it may hold many lines.
void CopyRows(pqxx::connection& conn, const std::string& table,
              std::span<const CallRow* const> rows) {
  pqxx::work tx(conn, "rebuild_copy");
  {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    pqxx::tablewriter writer(tx, table, kColumns.begin(), kColumns.end());
#pragma GCC diagnostic pop
    constexpr std::size_t kMessageBytes = 64 << 10;
    std::string text;
    text.reserve(kMessageBytes + 4096);
    const auto send = [&] {
      text.pop_back();  // write_raw_line adds the last line feed itself
      writer.write_raw_line(text);
      text.clear();
    };
    for (const CallRow* r : rows) {
      AppendCopyLine(*r, &text);
      if (text.size() >= kMessageBytes) send();
    }
    if (!text.empty()) send();
    writer.complete();
  }
  tx.commit();
}

std::unique_ptr<pqxx::connection> Connect(const PartitionBuildOptions& options) {
  auto c = std::make_unique<pqxx::connection>(options.dsn);
  c->set_client_encoding("UTF8");
  pqxx::nontransaction ntx(*c);
  ntx.exec("SET application_name = " + ntx.quote(options.application_name + " rebuild"));
  return c;
}

// Runs job(connection, j) for every j in [0, jobs), each once, the
// connections taking the next job as they become free; connection 0 on the
// calling thread. After the first error no new job starts; the first error
// is rethrown once every thread has stopped.
void RunJobs(std::span<pqxx::connection* const> conns, std::size_t jobs,
             const std::function<void(pqxx::connection&, std::size_t)>& job) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::exception_ptr> errors(conns.size());
  const auto work = [&](std::size_t worker) {
    try {
      for (std::size_t j; !failed && (j = next++) < jobs;) job(*conns[worker], j);
    } catch (...) {
      errors[worker] = std::current_exception();
      failed = true;
    }
  };
  {
    std::vector<std::jthread> threads;
    for (std::size_t w = 1; w < conns.size(); ++w) threads.emplace_back(work, w);
    work(0);
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
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
    // Left for DropLeftovers: the next rebuild removes it.
  }
}

void PartitionBuilder::DropLeftovers(const std::string& partition) {
  pqxx::work tx(main_, "rebuild_leftovers");
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
  tx.commit();
}

void PartitionBuilder::Build(const std::string& fresh, const std::string& node,
                             std::span<const CallRow* const> rows) {
  const std::size_t helpers = static_cast<std::size_t>(std::max(1, options_.connections) - 1);
  // The helpers connect (a few milliseconds each) while the table is made.
  std::vector<std::unique_ptr<pqxx::connection>> extra(helpers);
  std::vector<IndexJob> indexes;
  try {
    // Job 0 runs on the store's connection, whichever thread takes it.
    const std::vector<pqxx::connection*> any(1 + helpers, &main_);
    RunJobs(any, 1 + helpers, [&](pqxx::connection&, std::size_t j) {
      if (j > 0) {
        extra[j - 1] = Connect(options_);
        return;
      }
      pqxx::work tx(main_, "rebuild_create");
      tx.exec("CREATE TABLE " + tx.quote_name(fresh) +
              " (LIKE call_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
              "CONSTRAINT call_logs_partition_node CHECK (node = " + tx.quote(node) + "))");
      indexes = IndexJobs(tx, fresh);
      tx.commit();
    });
    std::vector<pqxx::connection*> conns = {&main_};
    for (auto& e : extra) conns.push_back(e.get());
    // Equal slices; with fewer rows than connections some are empty.
    const std::size_t slices = conns.size();
    RunJobs(conns, slices, [&](pqxx::connection& c, std::size_t j) {
      const std::size_t begin = rows.size() * j / slices;
      const std::size_t end = rows.size() * (j + 1) / slices;
      if (begin < end) CopyRows(c, fresh, rows.subspan(begin, end - begin));
    });
    // After the copy: one sort per index, not an insertion per row.
    RunJobs(conns, indexes.size(), [&](pqxx::connection& c, std::size_t j) {
      pqxx::nontransaction tx(c);
      tx.exec(indexes[j].create);
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
