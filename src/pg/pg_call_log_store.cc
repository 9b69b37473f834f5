#include "pg/pg_call_log_store.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <thread>
#include <utility>

#include "pg/migrations.h"
#include "pg/pg_partition_build.h"
#include "pg/pg_missed_open.h"
#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {

constexpr std::size_t kColumnCount = kColumns.size();
using Values = std::array<std::optional<std::string>, kColumnCount>;

// PostgreSQL's timestamptz range is wider, but four-digit years keep the
// text form unambiguous and cover any call that will ever be made.
constexpr std::int64_t kMinTimeUs = -62135596800LL * 1'000'000;  // 0001-01-01
constexpr std::int64_t kMaxTimeUs = 253402300800LL * 1'000'000;  // 10000-01-01 (exclusive)
constexpr std::uint64_t kMaxSeq = std::numeric_limits<std::int64_t>::max();

// pg_advisory_xact_lock key held by ReplaceAll (next to the migrations' key).
constexpr long long kRebuildLockKey = kMigrationLockKey + 1;
// Keeps the full recompute of missed_open apart from live batches
// (pg/pg_missed_open.h): every ApplyBatch holds it shared from its first
// statement, a rebuild's swap takes it exclusively before it touches
// call_logs. Taken first by both, before any lock on call_logs or the
// checkpoint row, so the two orders agree.
constexpr long long kMissedOpenLockKey = kMigrationLockKey + 2;

std::optional<std::string> Text(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}
std::optional<std::string> Time(std::int64_t us) {
  return us == 0 ? std::nullopt : std::optional<std::string>(FormatTimestamp(us));
}
template <typename T>
std::optional<std::string> Number(const std::optional<T>& v) {
  return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
}
std::optional<std::string> Bool(bool b) { return std::string(b ? "t" : "f"); }

// The row as text values in column order (NULL = nullopt). CheckRow first.
Values RowValues(const CallRow& r) {
  return {r.call_id,
          Text(r.direction),
          Text(r.from_number),
          Text(r.to_number),
          Time(r.start_us),
          Time(r.end_us),
          Number(r.duration_s),
          std::string(CallStatusName(r.status)),
          Text(r.recording_path),
          r.channel_id,
          r.node,
          Text(r.caller_name),
          Time(r.answer_us),
          Number(r.ring_s),
          Number(r.talk_s),
          Bool(r.answered),
          Text(r.disposition),
          Number(r.hangup_cause),
          Text(r.hangup_cause_txt),
          Bool(r.end_estimated),
          Bool(r.args_ok),
          std::to_string(r.first_seq.value),
          std::to_string(r.last_seq.value),
          std::to_string(r.projector_version)};
}

// libpq passes text as C strings: a NUL would silently truncate it.
bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

Status CheckNode(std::string_view node) {
  return HasNul(node) ? InvalidInput("node name with a NUL byte") : Status::Ok();
}

// What PostgreSQL would refuse or silently alter, caught before it is sent.
Status CheckRow(const CallRow& r, std::string_view node) {
  const auto where = [&] {
    return " (node '" + std::string(node) + "', call_id '" + r.call_id + "')";
  };
  if (r.node != node) return InvalidInput("row of node '" + r.node + "' in a batch of" + where());
  for (const std::string* s :
       {&r.call_id, &r.channel_id, &r.direction, &r.from_number, &r.to_number, &r.caller_name,
        &r.disposition, &r.hangup_cause_txt, &r.recording_path}) {
    if (HasNul(*s)) {
      return InvalidInput("text with a NUL byte in row" + where());
    }
  }
  for (std::int64_t us : {r.start_us, r.answer_us, r.end_us}) {
    if (us != 0 && (us < kMinTimeUs || us >= kMaxTimeUs)) {
      return InvalidInput("time " + std::to_string(us) + " us out of range in row" + where());
    }
  }
  if (r.first_seq.value > kMaxSeq || r.last_seq.value > kMaxSeq) {
    return InvalidInput("seq out of bigint range in row" + where());
  }
  // The integer columns (a binary COPY sends 32 bits, so the server cannot
  // refuse a wider value itself).
  for (const auto& [name, v] : {std::pair{"duration", r.duration_s}, std::pair{"ring_seconds", r.ring_s},
                                std::pair{"talk_seconds", r.talk_s}}) {
    if (v && (*v < std::numeric_limits<std::int32_t>::min() ||
              *v > std::numeric_limits<std::int32_t>::max())) {
      return InvalidInput(std::string(name) + " " + std::to_string(*v) +
                          " out of integer range in row" + where());
    }
  }
  return Status::Ok();
}

const std::string& OnConflictUpdate() {
  static const std::string kSql = [] {
    std::string out = " ON CONFLICT (node, call_id) DO UPDATE SET ";
    bool first = true;
    for (const char* c : kColumns) {
      const std::string_view name(c);
      if (name == "node" || name == "call_id") continue;
      out += (first ? "" : ", ") + std::string(c) + " = EXCLUDED." + c;
      first = false;
    }
    return out;
  }();
  return kSql;
}

// INSERT ... VALUES ($1..$24), ($25..$48), ... ON CONFLICT DO UPDATE.
std::string UpsertSql(std::size_t rows) {
  std::string sql = "INSERT INTO call_logs (" + ColumnList() + ") VALUES ";
  std::size_t p = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < kColumnCount; ++c) sql += (c ? ", $" : "$") + std::to_string(p++);
    sql += ")";
  }
  return sql + OnConflictUpdate();
}

std::string RandomHex(std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string out;
  for (std::size_t i = 0; i < digits; ++i) out += kHex[rd() % 16];
  return out;
}

// Prepared on every new connection.
constexpr const char* kReadCheckpoint = "cl_read_checkpoint";
constexpr const char* kCasUpdate = "cl_cas_update";
constexpr const char* kCasInsert = "cl_cas_insert";
constexpr const char* kSetCheckpoint = "cl_set_checkpoint";
constexpr const char* kPartitionName = "cl_partition_name";
constexpr const char* kPartitionExists = "cl_partition_exists";
constexpr const char* kLockNode = "cl_lock_node";
constexpr const char* kAllRows = "cl_all_rows";
constexpr const char* kLockMissedOpenShared = "cl_lock_missed_open_shared";

void PrepareStatements(pqxx::connection& c) {
  c.prepare(kReadCheckpoint, "SELECT last_seq FROM projector_checkpoint WHERE node = $1");
  c.prepare(kCasUpdate,
            "UPDATE projector_checkpoint SET last_seq = $3, updated_at = now() "
            "WHERE node = $1 AND last_seq = $2");
  // Expected 0: no row yet, or a row still at 0 (a rebuild to nothing).
  c.prepare(kCasInsert,
            "INSERT INTO projector_checkpoint AS p (node, last_seq) VALUES ($1, $2) "
            "ON CONFLICT (node) DO UPDATE SET last_seq = EXCLUDED.last_seq, updated_at = now() "
            "WHERE p.last_seq = 0");
  c.prepare(kSetCheckpoint,
            "INSERT INTO projector_checkpoint (node, last_seq) VALUES ($1, $2) "
            "ON CONFLICT (node) DO UPDATE SET last_seq = EXCLUDED.last_seq, updated_at = now()");
  c.prepare(kPartitionName, "SELECT 'call_logs_n_' || left(md5($1), 16)");
  c.prepare(kPartitionExists,
            "SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'call_logs'::regclass AND c.relname = $1)");
  // Serializes partition creation and rebuilds of one node across processes.
  c.prepare(kLockNode,
            "SELECT pg_advisory_xact_lock(hashtextextended('call_logs node ' || $1, 0))");
  c.prepare(kLockMissedOpenShared,
            "SELECT pg_advisory_xact_lock_shared(" + std::to_string(kMissedOpenLockKey) + ")");
  c.prepare(kAllRows, "SELECT " + SelectList() +
                          " FROM call_logs WHERE node = $1 ORDER BY call_id COLLATE \"C\"");
}

std::string PartitionName(pqxx::transaction_base& tx, std::string_view node) {
  return tx.exec_prepared1(kPartitionName, std::string(node))[0].as<std::string>();
}

bool PartitionExists(pqxx::transaction_base& tx, const std::string& name) {
  return tx.exec_prepared1(kPartitionExists, name)[0].as<bool>();
}

// The key columns of call_logs' indexes, quoted and comma-separated: the
// columns readers filter and sort on.
std::string IndexedColumns(pqxx::transaction_base& tx) {
  return tx
      .exec1(
          "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) "
          "FROM pg_attribute a WHERE a.attrelid = 'call_logs'::regclass AND a.attnum > 0 "
          "AND EXISTS (SELECT 1 FROM pg_index i "
          "            WHERE i.indrelid = a.attrelid AND a.attnum = ANY (i.indkey))")[0]
      .as<std::string>();
}

// ALTER INDEX statements that rename <fresh>_x indexes to <partition>_x.
std::string RenameIndexesSql(pqxx::transaction_base& tx, const std::string& partition,
                             const std::string& fresh) {
  const pqxx::result names = tx.exec_params(
      "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
      "WHERE i.indrelid = $1::regclass ORDER BY c.relname",
      tx.quote_name(fresh));
  std::string sql;
  for (const auto& row : names) {
    const std::string name = row[0].as<std::string>();
    if (name.rfind(fresh + "_", 0) != 0) continue;
    sql += "ALTER INDEX " + tx.quote_name(name) + " RENAME TO " +
           tx.quote_name(partition + name.substr(fresh.size())) + "; ";
  }
  return sql;
}

std::vector<std::string> ColumnVector() { return {kColumns.begin(), kColumns.end()}; }

}  // namespace

PgCallLogStore::PgCallLogStore(std::string dsn, PgOptions options)
    : dsn_(std::move(dsn)), options_(std::move(options)) {}

PgCallLogStore::~PgCallLogStore() = default;

template <typename F>
auto PgCallLogStore::Guard(std::string_view what, F&& body) -> decltype(body()) {
  try {
    if (Status s = EnsureConnected(); !s.ok()) return s;
    return body();
  } catch (...) {
    return TranslateCurrentException(what);
  }
}

Result<std::unique_ptr<PgCallLogStore>> PgCallLogStore::Open(const std::string& dsn,
                                                             PgOptions options) {
  std::unique_ptr<PgCallLogStore> store(new PgCallLogStore(dsn, std::move(options)));
  if (Status s = store->Guard("open", [] { return Status::Ok(); }); !s.ok()) return s;
  return store;
}

Status PgCallLogStore::EnsureConnected() {
  if (conn_ && conn_->is_open()) return Status::Ok();
  conn_.reset();
  partitions_.clear();
  auto c = std::make_unique<pqxx::connection>(dsn_);
  c->set_client_encoding("UTF8");
  {
    pqxx::nontransaction ntx(*c);
    ntx.exec("SET application_name = " + ntx.quote(options_.application_name));
  }
  if (Status s = Migrate(*c); !s.ok()) return s;
  {
    // The staging table of large batches: private to this session, emptied
    // by every commit.
    pqxx::nontransaction ntx(*c);
    ntx.exec(
        "CREATE TEMP TABLE call_logs_staging (LIKE call_logs INCLUDING DEFAULTS) "
        "ON COMMIT DELETE ROWS");
  }
  PrepareStatements(*c);
  conn_ = std::move(c);
  return Status::Ok();
}

Status PgCallLogStore::TranslateCurrentException(std::string_view what) {
  const PgFailure failure = ClassifyCurrentException(what);
  const bool drop = failure.drop_connection;
  const Status status = failure.status;
  if (drop || (conn_ && !conn_->is_open())) {
    conn_.reset();
    partitions_.clear();
  }
  return status;
}

void PgCallLogStore::EnsurePartition(std::string_view node) {
  if (partitions_.contains(node)) return;
  const std::string n(node);
  pqxx::work tx(*conn_, "partition");
  tx.exec_prepared(kLockNode, n);
  const std::string name = PartitionName(tx, n);
  if (!PartitionExists(tx, name)) {
    // DDL takes no parameters: the node is quoted by libpq, the name is ours.
    tx.exec("CREATE TABLE " + tx.quote_name(name) + " PARTITION OF call_logs FOR VALUES IN (" +
            tx.quote(n) + ")");
  }
  tx.commit();
  partitions_.insert(n);
}

Result<Seq> PgCallLogStore::Checkpoint(std::string_view node) {
  if (Status s = CheckNode(node); !s.ok()) return s;
  return Guard("checkpoint", [&]() -> Result<Seq> {
    pqxx::nontransaction tx(*conn_);
    const pqxx::result r = tx.exec_prepared(kReadCheckpoint, std::string(node));
    if (r.empty()) return Seq{};
    const auto v = r[0][0].as<std::int64_t>();
    if (v < 0) {
      return DataLoss("negative checkpoint " + std::to_string(v) + " for node '" +
                      std::string(node) + "'");
    }
    return Seq{static_cast<std::uint64_t>(v)};
  });
}

Status PgCallLogStore::ApplyBatch(std::string_view node, Seq expected, Seq next,
                                  std::span<const RowChange> changes) {
  if (Status s = CheckNode(node); !s.ok()) return s;
  if (expected.value > kMaxSeq || next.value > kMaxSeq) {
    return InvalidInput("checkpoint out of bigint range");
  }
  // Coalesce by call_id: the last change of a key wins. Ordered by key, so
  // the statements (and their row locks) come in a stable order.
  std::map<std::string_view, const RowChange*> last;
  for (const RowChange& ch : changes) last[ch.row.call_id] = &ch;
  std::vector<const RowChange*> upserts;
  std::vector<const std::string*> deletes;
  for (const auto& [id, ch] : last) {
    if (ch->op == RowChange::Op::kDelete) {
      if (HasNul(ch->row.call_id)) {
        return InvalidInput("call_id with a NUL byte");
      }
      deletes.push_back(&ch->row.call_id);
    } else {
      if (Status s = CheckRow(ch->row, node); !s.ok()) return s;
      upserts.push_back(ch);
    }
  }
  return Guard("apply batch", [&] { return DoApplyBatch(node, expected, next, upserts, deletes); });
}

Status PgCallLogStore::DoApplyBatch(std::string_view node, Seq expected, Seq next,
                                    std::span<const RowChange* const> upserts,
                                    std::span<const std::string* const> deletes) {
  const std::string n(node);
  if (!upserts.empty()) EnsurePartition(n);
  pqxx::work tx(*conn_, "apply_batch");
  // 0. No rebuild may recompute missed_open while this batch keeps it.
  tx.exec_prepared(kLockMissedOpenShared);

  // 1. The compare-and-set. Under READ COMMITTED a concurrent writer of the
  // same row makes us wait and then re-check last_seq, so exactly one wins.
  const auto exp = static_cast<std::int64_t>(expected.value);
  const auto nxt = static_cast<std::int64_t>(next.value);
  const pqxx::result cas = expected.value == 0 ? tx.exec_prepared(kCasInsert, n, nxt)
                                               : tx.exec_prepared(kCasUpdate, n, exp, nxt);
  if (cas.affected_rows() != 1) {
    const pqxx::result now = tx.exec_prepared(kReadCheckpoint, n);
    const std::string actual = now.empty() ? "0 (none)" : now[0][0].as<std::string>();
    return Aborted("checkpoint of node '" + n + "' is " + actual + ", not the expected " +
                   std::to_string(expected.value));  // `tx` rolls back: nothing written
  }

  // What the batch's keys were, for missed_open (read before they change).
  MissedOpenUpkeep missed_open(n);
  missed_open.ReadBefore(tx, upserts, deletes);

  // 2. Deletes: distinct keys, so their order against the upserts is moot.
  constexpr std::size_t kKeysPerDelete = 1000;
  for (std::size_t i = 0; i < deletes.size(); i += kKeysPerDelete) {
    const std::size_t count = std::min(kKeysPerDelete, deletes.size() - i);
    std::string sql = "DELETE FROM call_logs WHERE node = $1 AND call_id IN (";
    std::vector<std::string> keys;
    for (std::size_t k = 0; k < count; ++k) {
      sql += (k ? ", $" : "$") + std::to_string(k + 2);
      keys.push_back(*deletes[i + k]);
    }
    tx.exec_params(sql + ")", n, pqxx::prepare::make_dynamic_params(keys));
  }

  // 3. Upserts.
  if (upserts.size() > options_.staging_threshold) {
    {
      pqxx::stream_to copy(tx, "call_logs_staging", ColumnVector());
      for (const RowChange* ch : upserts) copy << RowValues(ch->row);
      copy.complete();
    }
    tx.exec("INSERT INTO call_logs (" + ColumnList() + ") SELECT " + ColumnList() +
            " FROM pg_temp.call_logs_staging" + OnConflictUpdate());
  } else {
    const std::size_t per =
        std::max<std::size_t>(1, std::min<std::size_t>(options_.rows_per_statement, 2000));
    std::vector<std::optional<std::string>> params;
    for (std::size_t i = 0; i < upserts.size(); i += per) {
      const std::size_t count = std::min(per, upserts.size() - i);
      params.clear();
      params.reserve(count * kColumnCount);
      for (std::size_t k = 0; k < count; ++k) {
        for (auto& v : RowValues(upserts[i + k]->row)) params.push_back(std::move(v));
      }
      tx.exec_params(UpsertSql(count), pqxx::prepare::make_dynamic_params(params));
    }
  }
  // 4. missed_open follows call_logs in the same transaction.
  missed_open.Apply(tx, upserts);
  tx.commit();
  return Status::Ok();
}

Status PgCallLogStore::ReplaceAll(std::string_view node, std::span<const CallRow> rows,
                                  Seq checkpoint) {
  if (Status s = CheckNode(node); !s.ok()) return s;
  if (checkpoint.value > kMaxSeq) return InvalidInput("checkpoint out of bigint range");
  // Duplicate call_ids: the last one wins, as in ApplyBatch.
  std::map<std::string_view, const CallRow*> last;
  for (const CallRow& r : rows) {
    if (Status s = CheckRow(r, node); !s.ok()) return s;
    last[r.call_id] = &r;
  }
  std::vector<const CallRow*> unique;
  unique.reserve(last.size());
  for (const auto& [id, r] : last) unique.push_back(r);
  return Guard("replace all", [&] { return DoReplaceAll(node, unique, checkpoint); });
}

Status PgCallLogStore::DoReplaceAll(std::string_view node, std::span<const CallRow* const> rows,
                                    Seq checkpoint) {
  const std::string n(node);
  // One rebuild at a time, whatever the node, for the whole of it: the new
  // table is committed before the swap (other connections fill it), and
  // two swaps at once would queue for call_logs behind each other. A
  // session lock, released below or when the connection ends.
  {
    pqxx::nontransaction lock(*conn_);
    lock.exec("SELECT pg_advisory_lock(" + std::to_string(kRebuildLockKey) + ")");
  }
  struct Unlock {
    pqxx::connection& conn;
    ~Unlock() {
      try {
        if (!conn.is_open()) return;
        pqxx::nontransaction tx(conn);
        tx.exec("SELECT pg_advisory_unlock(" + std::to_string(kRebuildLockKey) + ")");
      } catch (...) {
        // The server releases it with the connection.
      }
    }
  } unlock{*conn_};

  std::string partition;
  {
    pqxx::nontransaction tx(*conn_);
    partition = PartitionName(tx, n);
  }
  const std::string fresh = partition + "_new_" + RandomHex(8);

  // 1. Build the new partition where no reader looks (pg_partition_build.h).
  PartitionBuilder builder(*conn_, PartitionBuildOptions{dsn_, options_.application_name,
                                                         options_.rebuild_connections});
  builder.Build(partition, fresh, n, rows);
  try {
    Swap(n, partition, fresh, checkpoint);
  } catch (...) {
    builder.DropQuietly(fresh);
    throw;
  }
  partitions_.insert(n);
  return Status::Ok();
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
  if (Status s = CheckNode(node); !s.ok()) return s;
  return Guard("refresh statistics", [&] {
    pqxx::nontransaction tx(*conn_);
    const std::string partition = PartitionName(tx, std::string(node));
    if (!PartitionExists(tx, partition)) return Status::Ok();
    // Statistics for the columns readers filter and sort on (the key columns
    // of call_logs' indexes), so that the queries after a rebuild are planned
    // on them. The other columns are left to autovacuum: an ANALYZE of some
    // columns keeps the table's count of changes since its last full
    // analyze, so autovacuum still analyzes them all within its naptime.
    // Analyzing all 24 columns here cost more than half as much as building
    // the indexes (docs/benchmarks.md).
    tx.exec("ANALYZE " + tx.quote_name(partition) + " (" + IndexedColumns(tx) + ")");
    return Status::Ok();
  });
}

Result<std::vector<CallRow>> PgCallLogStore::AllRows(std::string_view node) {
  if (Status s = CheckNode(node); !s.ok()) return s;
  return Guard("all rows", [&]() -> Result<std::vector<CallRow>> {
    pqxx::nontransaction tx(*conn_);
    const pqxx::result res = tx.exec_prepared(kAllRows, std::string(node));
    std::vector<CallRow> rows;
    rows.reserve(res.size());
    for (const auto& f : res) {
      auto r = ReadRow(f);
      if (!r.ok()) return r.status();
      rows.push_back(std::move(*r));
    }
    return rows;
  });
}

}  // namespace callledger::pg
