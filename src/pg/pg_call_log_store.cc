#include "pg/pg_call_log_store.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <utility>

#include "core/agent_attempts.h"
#include "pg/migrations.h"
#include "pg/pg_missed_open.h"
#include "pg/pg_row_codec.h"
#include "pg/pg_store_sql.h"

namespace callledger::pg {
namespace {

constexpr std::size_t kColumnCount = kColumns.size();
using Values = std::array<std::optional<std::string>, kColumnCount>;

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
          std::to_string(r.projector_version),
          std::string(EvidenceName(r.evidence)),
          Text(std::string(EndReasonName(r.end_reason))),
          Text(r.agent),
          AgentsTriedJson(r.agents_tried, TimePrecision::kMicros),
          Text(r.transferred_to)};
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

// INSERT ... VALUES ($1..$26), ($27..$52), ... ON CONFLICT DO UPDATE.
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

std::vector<std::string> ColumnVector() { return {kColumns.begin(), kColumns.end()}; }

}  // namespace

PgCallLogStore::PgCallLogStore(std::string dsn, PgOptions options)
    : dsn_(std::move(dsn)), options_(std::move(options)) {}

PgCallLogStore::~PgCallLogStore() = default;

Result<std::unique_ptr<PgCallLogStore>> PgCallLogStore::Open(const std::string& dsn,
                                                             PgOptions options) {
  std::unique_ptr<PgCallLogStore> store(new PgCallLogStore(dsn, std::move(options)));
  RETURN_IF_ERROR(store->Guard("open", [] { return Status::Ok(); }));
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
  RETURN_IF_ERROR(Migrate(*c));
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
  ++connection_generation_;
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

namespace {

// The node's rows, ordered by call_id (kAllRows), in `tx`.
Result<std::vector<CallRow>> ReadAllRows(pqxx::transaction_base& tx, const std::string& node) {
  const pqxx::result res = tx.exec_prepared(kAllRows, node);
  std::vector<CallRow> rows;
  rows.reserve(res.size());
  for (const auto& f : res) {
    ASSIGN_OR_RETURN(CallRow r, ReadRow(f));
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<Seq> ReadCheckpoint(pqxx::transaction_base& tx, const std::string& node) {
  const pqxx::result r = tx.exec_prepared(kReadCheckpoint, node);
  if (r.empty()) return Seq{};
  const auto v = r[0][0].as<std::int64_t>();
  if (v < 0) {
    return DataLoss("negative checkpoint " + std::to_string(v) + " for node '" + node + "'");
  }
  return Seq{static_cast<std::uint64_t>(v)};
}

}  // namespace

Result<Seq> PgCallLogStore::Checkpoint(std::string_view node) {
  RETURN_IF_ERROR(CheckNode(node));
  return Guard("checkpoint", [&]() -> Result<Seq> {
    pqxx::nontransaction tx(*conn_);
    return ReadCheckpoint(tx, std::string(node));
  });
}

Status PgCallLogStore::ApplyBatch(std::string_view node, Seq expected, Seq next,
                                  std::span<const RowChange> changes) {
  RETURN_IF_ERROR(CheckNode(node));
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
      RETURN_IF_ERROR(CheckRow(ch->row, node));
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

Result<std::vector<CallRow>> PgCallLogStore::AllRows(std::string_view node) {
  RETURN_IF_ERROR(CheckNode(node));
  return Guard("all rows", [&]() -> Result<std::vector<CallRow>> {
    pqxx::nontransaction tx(*conn_);
    return ReadAllRows(tx, std::string(node));
  });
}

Result<CheckpointRows> PgCallLogStore::RowsAtCheckpoint(std::string_view node) {
  RETURN_IF_ERROR(CheckNode(node));
  return Guard("rows at checkpoint", [&]() -> Result<CheckpointRows> {
    // One snapshot for both reads: a batch commits its rows and its
    // checkpoint together.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*conn_, "rows_at_checkpoint");
    const std::string n(node);
    ASSIGN_OR_RETURN(const Seq checkpoint, ReadCheckpoint(tx, n));
    ASSIGN_OR_RETURN(std::vector<CallRow> rows, ReadAllRows(tx, n));
    tx.commit();
    return CheckpointRows{checkpoint, std::move(rows)};
  });
}

}  // namespace callledger::pg
