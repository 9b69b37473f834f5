// PgCallLogStore's rebuild side (pg_call_log_store.h): ReplaceAll,
// BeginReplace and its Replacement, the swap, and the statistics after.
#include <algorithm>
#include <chrono>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <thread>
#include <utility>

#include "pg/pg_call_log_store.h"
#include "pg/pg_missed_open.h"
#include "pg/pg_partition_build.h"
#include "pg/pg_row_codec.h"
#include "pg/pg_store_sql.h"

namespace callledger::pg {

// One rebuild at a time, whatever the node, for the whole of it: the new
// table is committed before the swap (other connections fill it), and two
// swaps at once would queue for call_logs behind each other. A session
// lock on the store's connection, released by the destructor, or by the
// server with the connection. Knows the session by the store's connection
// generation, not by the connection's address: the store drops a broken
// connection (and the lock is gone with it), and a new one may be
// allocated at the same address.
class PgCallLogStore::RebuildLock {
 public:
  explicit RebuildLock(PgCallLogStore& store)
      : conn_(store.conn_),
        generation_(store.connection_generation_),
        held_generation_(store.connection_generation_) {
    pqxx::nontransaction tx(*conn_);
    const std::string key = std::to_string(kRebuildLockKey);
    if (tx.exec1("SELECT pg_try_advisory_lock(" + key + ")")[0].as<bool>()) return;
    if (store.options_.on_rebuild_wait) store.options_.on_rebuild_wait();
    tx.exec("SELECT pg_advisory_lock(" + key + ")");
  }
  ~RebuildLock() {
    if (!Held()) return;
    try {
      pqxx::nontransaction tx(*conn_);
      tx.exec("SELECT pg_advisory_unlock(" + std::to_string(kRebuildLockKey) + ")");
    } catch (...) {
      // The server releases it with the connection.
    }
  }
  RebuildLock(const RebuildLock&) = delete;
  RebuildLock& operator=(const RebuildLock&) = delete;

  // Whether the connection it was taken on is still the store's, and open.
  bool Held() const { return conn_ && generation_ == held_generation_ && conn_->is_open(); }

 private:
  std::unique_ptr<pqxx::connection>& conn_;
  const std::uint64_t& generation_;
  const std::uint64_t held_generation_;
};

// BeginReplace's replacement: a PartitionStream fills the new table while
// the caller produces rows; Finish swaps it in as ReplaceAll does.
class PgCallLogStore::Replacement final : public RowReplacement {
 public:
  Replacement(PgCallLogStore& store, std::string node, std::string partition, std::string fresh,
              std::unique_ptr<RebuildLock> lock, std::unique_ptr<PartitionStream> stream)
      : store_(store),
        node_(std::move(node)),
        partition_(std::move(partition)),
        fresh_(std::move(fresh)),
        lock_(std::move(lock)),
        stream_(std::move(stream)) {}

  ~Replacement() override { Release(); }

  Status Add(std::vector<CallRow> rows) override {
    RETURN_IF_ERROR(Usable());
    for (const CallRow& r : rows) {
      if (Status s = Take(r); !s.ok()) return Fail(std::move(s));
    }
    try {
      stream_->Add(std::move(rows));
    } catch (...) {
      return Fail(ClassifyCurrentException("replace all").status);
    }
    return Status::Ok();
  }

  Status Finish(std::span<const CallRow> rows, std::span<const std::string> withdrawn,
                Seq checkpoint) override {
    RETURN_IF_ERROR(Usable());
    if (checkpoint.value > kMaxSeq) return Fail(InvalidInput("checkpoint out of bigint range"));
    for (const std::string& id : withdrawn) {
      if (added_.erase(id) == 0) {
        return Fail(InvalidInput("withdrawn call_id '" + id + "' was not added"));
      }
    }
    std::vector<const CallRow*> last;
    last.reserve(rows.size());
    for (const CallRow& r : rows) {
      if (Status s = Take(r); !s.ok()) return Fail(std::move(s));
      last.push_back(&r);
    }
    if (!lock_->Held()) {
      return Fail(Unavailable("the connection that held the rebuild lock broke; rebuild again"));
    }
    // A failure of the stream's own connection says nothing about the
    // store's: it is classified here, not by the store's Guard (which
    // would drop the store's connection, and the lock with it).
    try {
      stream_->Finish(last, withdrawn);
    } catch (...) {
      return Fail(ClassifyCurrentException("replace all").status);
    }
    stream_.reset();
    Status s = store_.Guard("replace all", [&] {
      store_.Swap(node_, partition_, fresh_, checkpoint);
      store_.partitions_.insert(node_);
      return Status::Ok();
    });
    if (!s.ok()) return Fail(std::move(s));
    finished_ = true;
    Release();
    return Status::Ok();
  }

 private:
  Status Usable() const {
    RETURN_IF_ERROR(status_);
    if (finished_) return Internal("the replacement of node '" + node_ + "' is finished");
    return Status::Ok();
  }
  // Checks a row of the new set (CheckRow, and its call_id not there yet).
  Status Take(const CallRow& r) {
    RETURN_IF_ERROR(CheckRow(r, node_));
    if (!added_.insert(r.call_id).second) {
      return InvalidInput("call_id '" + r.call_id + "' given twice to the replacement of node '" +
                          node_ + "'");
    }
    return Status::Ok();
  }
  // A failed replacement lets go of everything at once, not when it is
  // destroyed: its COPY's transaction would otherwise keep the new table
  // locked, and the store's next rebuild (which drops that table first)
  // would wait for it forever.
  Status Fail(Status s) {
    status_ = s;
    Release();
    return s;
  }
  void Release() noexcept {
    if (released_) return;
    released_ = true;
    stream_.reset();  // rolls an unfinished COPY back
    // Unless the connection broke: then the next rebuild drops the table.
    if (!finished_ && lock_->Held()) DropTableQuietly(*store_.conn_, fresh_);
    lock_.reset();
    store_.replacing_ = false;
  }

  PgCallLogStore& store_;
  const std::string node_, partition_, fresh_;
  std::unique_ptr<RebuildLock> lock_;
  std::unique_ptr<PartitionStream> stream_;
  std::set<std::string, std::less<>> added_;  // call_ids of the new set so far
  Status status_;
  bool finished_ = false;
  bool released_ = false;
};

Result<std::unique_ptr<RowReplacement>> PgCallLogStore::BeginReplace(std::string_view node) {
  return StartReplacement(node, IndexTiming::kBeforeRows);
}

Result<std::unique_ptr<RowReplacement>> PgCallLogStore::StartReplacement(std::string_view node,
                                                                         IndexTiming indexes) {
  RETURN_IF_ERROR(CheckNode(node));
  if (replacing_) {
    return FailedPrecondition(
        "a replacement is still open on this store; finish or destroy it first");
  }
  return Guard("begin replace", [&]() -> Result<std::unique_ptr<RowReplacement>> {
    const std::string n(node);
    auto lock = std::make_unique<RebuildLock>(*this);
    std::string partition;
    {
      pqxx::nontransaction tx(*conn_);
      partition = PartitionName(tx, n);
    }
    std::string fresh = partition + "_new_" + RandomHex(8);
    auto stream = std::make_unique<PartitionStream>(
        *conn_, PartitionBuildOptions{dsn_, options_.application_name, indexes}, partition, fresh,
        n);
    replacing_ = true;
    return std::unique_ptr<RowReplacement>(new Replacement(
        *this, n, std::move(partition), std::move(fresh), std::move(lock), std::move(stream)));
  });
}

Status PgCallLogStore::ReplaceAll(std::string_view node, std::span<const CallRow> rows,
                                  Seq checkpoint) {
  // Refused before anything is created; duplicate call_ids: the last one
  // wins, as in ApplyBatch.
  RETURN_IF_ERROR(CheckNode(node));
  if (checkpoint.value > kMaxSeq) return InvalidInput("checkpoint out of bigint range");
  std::map<std::string_view, const CallRow*> last;
  for (const CallRow& r : rows) {
    RETURN_IF_ERROR(CheckRow(r, node));
    last[r.call_id] = &r;
  }
  // Every row at once: the indexes are sorted once after the COPY.
  ASSIGN_OR_RETURN(auto replacement, StartReplacement(node, IndexTiming::kAfterRows));
  if (last.size() == rows.size()) return replacement->Finish(rows, {}, checkpoint);
  std::vector<CallRow> unique;  // copies only when there are duplicates
  unique.reserve(last.size());
  for (const auto& [id, r] : last) unique.push_back(*r);
  return replacement->Finish(unique, {}, checkpoint);
}

void PgCallLogStore::Swap(const std::string& n, const std::string& partition,
                          const std::string& fresh, Seq checkpoint) {
  pqxx::work tx(*conn_, "replace_all");
  // Partition creation takes the node's lock too: from here on whether the
  // partition exists is settled.
  tx.exec_prepared(kLockNode, n);
  const std::string qpartition = tx.quote_name(partition);
  const std::string qfresh = tx.quote_name(fresh);

  // 2. missed_open for the rows as they will be (pg/pg_missed_open.h): the
  // node's rows change wholesale, and its missed calls and contacts resolve
  // calls of every node, so all of it is recomputed, from the other nodes'
  // rows and the new table. Before the swap: readers of call_logs go on
  // meanwhile (1.1-1.3 s per million rows). The recompute lock, taken
  // before the checkpoint row and call_logs as ApplyBatch takes them, waits
  // for running batches of every node and keeps new ones out until we
  // commit, so nothing changes the rows under the recompute.
  tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMissedOpenLockKey) + ")");
  RecomputeMissedOpen(tx, "(SELECT * FROM call_logs WHERE node <> " + tx.quote(n) +
                              " UNION ALL SELECT * FROM " + qfresh + ")");

  // 3. The swap's statements go as one message: from the DETACH to the
  // commit every reader of call_logs waits, so nothing is looked up in
  // between. The checkpoint comes first, the lock order of ApplyBatch (the
  // checkpoint row, then call_logs), so a live writer of the node cannot
  // deadlock with us.
  std::string sql = "INSERT INTO projector_checkpoint (node, last_seq) VALUES (" + tx.quote(n) +
                    ", " + std::to_string(checkpoint.value) +
                    ") ON CONFLICT (node) DO UPDATE SET last_seq = EXCLUDED.last_seq, "
                    "updated_at = now(); ";
  if (PartitionExists(tx, partition)) {
    sql += "ALTER TABLE call_logs DETACH PARTITION " + qpartition + "; DROP TABLE " + qpartition +
           "; ";
  }
  sql += "ALTER TABLE " + qfresh + " RENAME TO " + qpartition + "; ";
  sql += RenameIndexesSql(tx, partition, fresh);
  sql += "ALTER TABLE call_logs ATTACH PARTITION " + qpartition + " FOR VALUES IN (" + tx.quote(n) +
         ")";

  // In a savepoint. DETACH needs call_logs exclusively, so it waits for
  // running readers, and new readers queue behind it: wait at most
  // swap_lock_timeout, then let them through and try again.
  tx.exec("SET LOCAL lock_timeout = " + std::to_string(options_.swap_lock_timeout.count()));
  for (int attempt = 1;; ++attempt) {
    try {
      pqxx::subtransaction swap(tx, "swap");
      swap.exec(sql);
      swap.commit();
      break;
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != "55P03" || attempt >= std::max(1, options_.swap_attempts)) throw;
    }
    std::this_thread::sleep_for(
        std::min(attempt * std::chrono::milliseconds(100), std::chrono::milliseconds(1000)));
  }
  tx.commit();
}

Status PgCallLogStore::RefreshStatistics(std::string_view node) {
  RETURN_IF_ERROR(CheckNode(node));
  return Guard("refresh statistics", [&] {
    pqxx::nontransaction tx(*conn_);
    const std::string partition = PartitionName(tx, std::string(node));
    if (!PartitionExists(tx, partition)) return Status::Ok();
    // Statistics for the columns readers filter and sort on (the key columns
    // of call_logs' indexes), so that the queries after a rebuild are planned
    // on them. The other columns are left to autovacuum: an ANALYZE of some
    // columns keeps the table's count of changes since its last full
    // analyze, so autovacuum still analyzes them all within its naptime.
    // Analyzing all the columns (24 then) here cost more than half as much as building
    // the indexes (docs/benchmarks.md).
    tx.exec("ANALYZE " + tx.quote_name(partition) + " (" + IndexedColumns(tx) + ")");
    return Status::Ok();
  });
}

}  // namespace callledger::pg
