#include "pg/pg_store_sql.h"

#include <pqxx/pqxx>
#include <random>
#include <utility>

#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {

// PostgreSQL's timestamptz range is wider, but four-digit years keep the
// text form unambiguous and cover any call that will ever be made.
constexpr std::int64_t kMinTimeUs = -62135596800LL * 1'000'000;  // 0001-01-01
constexpr std::int64_t kMaxTimeUs = 253402300800LL * 1'000'000;  // 10000-01-01 (exclusive)

}  // namespace

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

Status CheckNode(std::string_view node) {
  return HasNul(node) ? InvalidInput("node name with a NUL byte") : Status::Ok();
}

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
  for (const auto& [name, v] :
       {std::pair{"duration", r.duration_s}, std::pair{"ring_seconds", r.ring_s},
        std::pair{"talk_seconds", r.talk_s}}) {
    if (v && (*v < std::numeric_limits<std::int32_t>::min() ||
              *v > std::numeric_limits<std::int32_t>::max())) {
      return InvalidInput(std::string(name) + " " + std::to_string(*v) +
                          " out of integer range in row" + where());
    }
  }
  return Status::Ok();
}

std::string RandomHex(std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string out;
  for (std::size_t i = 0; i < digits; ++i) out += kHex[rd() % 16];
  return out;
}

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

std::string IndexedColumns(pqxx::transaction_base& tx) {
  return tx
      .exec1(
          "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) "
          "FROM pg_attribute a WHERE a.attrelid = 'call_logs'::regclass AND a.attnum > 0 "
          "AND EXISTS (SELECT 1 FROM pg_index i "
          "            WHERE i.indrelid = a.attrelid AND a.attnum = ANY (i.indkey))")[0]
      .as<std::string>();
}

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

}  // namespace callledger::pg
