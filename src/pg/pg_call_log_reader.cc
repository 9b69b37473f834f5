#include "pg/pg_call_log_reader.h"

#include <pqxx/pqxx>
#include <utility>
#include <vector>

#include "pg/pg_call_stats.h"
#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {

// The index call_logs_newest_idx (migration 2) has exactly this order.
constexpr const char* kNewestFirst =
    " ORDER BY start_time DESC NULLS LAST, call_id COLLATE \"C\" DESC, node COLLATE \"C\" DESC";

// Builds "WHERE ..." with $n placeholders, collecting the values to bind.
class Filter {
 public:
  // Adds a value to bind and returns its placeholder number.
  int Bind(std::string v) {
    params_.push_back(std::move(v));
    return static_cast<int>(params_.size());
  }
  std::string P(std::string v) { return "$" + std::to_string(Bind(std::move(v))); }
  void And(const std::string& condition) {
    where_ += where_.empty() ? " WHERE " : " AND ";
    where_ += condition;
  }
  const std::string& where() const { return where_; }
  const std::vector<std::string>& params() const { return params_; }

 private:
  std::string where_;
  std::vector<std::string> params_;
};

Filter SearchFilter(const CallQuery& q) {
  Filter f;
  if (q.number) {
    if (q.number_match == NumberMatch::kExact) {
      const std::string p = f.P(*q.number);
      f.And("(from_number = " + p + " OR to_number = " + p + ")");
    } else {
      // LIKE's metacharacters are escaped, so the prefix is literal.
      std::string escaped;
      for (char c : *q.number) {
        if (c == '%' || c == '_' || c == '\\') escaped += '\\';
        escaped += c;
      }
      const std::string p = f.P(escaped + "%");
      f.And("(from_number LIKE " + p + " OR to_number LIKE " + p + ")");
    }
  }
  if (q.direction) f.And("direction = " + f.P(*q.direction));
  if (q.status) f.And("status = " + f.P(std::string(CallStatusName(*q.status))));
  if (q.answered) f.And(std::string("answered = ") + (*q.answered ? "true" : "false"));
  if (q.recorded) f.And(*q.recorded ? "recording_path IS NOT NULL" : "recording_path IS NULL");
  if (q.since_us) f.And("start_time >= " + TimeParam(f.Bind(std::to_string(*q.since_us))));
  if (q.until_us) f.And("start_time < " + TimeParam(f.Bind(std::to_string(*q.until_us))));
  if (q.min_duration_s) f.And("duration >= " + f.P(std::to_string(*q.min_duration_s)) + "::bigint");
  // No index: a value that matches few rows costs one pass over the
  // period's rows (0.1 s for a million rows matching none).
  if (q.evidence) f.And("evidence = " + f.P(std::string(EvidenceName(*q.evidence))));
  if (q.end_reason) f.And("end_reason = " + f.P(std::string(EndReasonName(*q.end_reason))));
  // call_logs_agent_idx: one agent's rows, newest first.
  if (q.agent) f.And("agent = " + f.P(*q.agent));
  // call_logs is partitioned by node: one node's rows are one partition.
  if (q.node) f.And("node = " + f.P(*q.node));
  return f;
}

// The rows after the cursor, in two parts that each walk an index in order:
// those with a start time after the cursor as ONE row comparison (a btree
// range on call_logs_newest_idx: an OR of the three cases would make
// PostgreSQL scan and sort every match for every page), then the rows
// without a start time, which sort last.
enum class Part { kTimed, kUntimed };

Filter AfterCursor(const CallQuery& q, Part part) {
  Filter f = SearchFilter(q);
  if (part == Part::kUntimed) {
    f.And("start_time IS NULL");
    if (q.after && q.after->start_us == 0) {
      f.And("(call_id COLLATE \"C\", node COLLATE \"C\") < (" + f.P(q.after->call_id) + ", " +
            f.P(q.after->node) + ")");
    }
    return f;
  }
  f.And("start_time IS NOT NULL");
  if (q.after) {
    const std::string t = TimeParam(f.Bind(std::to_string(q.after->start_us)));
    f.And("(start_time, call_id COLLATE \"C\", node COLLATE \"C\") < (" + t + ", " +
          f.P(q.after->call_id) + ", " + f.P(q.after->node) + ")");
  }
  return f;
}

}  // namespace

PgCallLogReader::PgCallLogReader(std::string dsn, PgReaderOptions options)
    : dsn_(std::move(dsn)), options_(std::move(options)) {}

PgCallLogReader::~PgCallLogReader() = default;

template <typename Fn>
auto PgCallLogReader::Guard(std::string_view what, Fn&& fn)
    -> decltype(fn(std::declval<pqxx::connection&>())) {
  try {
    if (!conn_ || !conn_->is_open()) {
      conn_.reset();
      auto c = std::make_unique<pqxx::connection>(dsn_);
      pqxx::nontransaction setup(*c);
      setup.exec_params("SELECT set_config('application_name', $1, false)",
                        options_.application_name);
      setup.exec_params("SELECT set_config('statement_timeout', $1, false)",
                        std::to_string(options_.statement_timeout.count()));
      setup.commit();
      conn_ = std::move(c);
    }
    return fn(*conn_);
  } catch (...) {
    PgFailure failure = ClassifyCurrentException(what);
    if (failure.drop_connection || (conn_ && !conn_->is_open())) conn_.reset();
    return failure.status;
  }
}

Result<CallPage> PgCallLogReader::Search(const CallQuery& q) {
  return Guard("search calls", [&](pqxx::connection& conn) -> Result<CallPage> {
    pqxx::read_transaction tx(conn);
    // One extra row says whether another page follows.
    const std::size_t wanted = static_cast<std::size_t>(q.limit) + 1;
    std::vector<CallRow> rows;
    const bool after_untimed = q.after && q.after->start_us == 0;
    for (Part part : {Part::kTimed, Part::kUntimed}) {
      if ((part == Part::kTimed && after_untimed) || rows.size() == wanted) continue;
      const Filter f = AfterCursor(q, part);
      const std::string sql = "SELECT " + SelectList() + " FROM call_logs" + f.where() +
                              kNewestFirst + " LIMIT " + std::to_string(wanted - rows.size());
      const pqxx::result res = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(f.params()));
      for (const auto& row : res) {
        ASSIGN_OR_RETURN(CallRow r, ReadRow(row));
        rows.push_back(std::move(r));
      }
    }
    CallPage page;
    if (rows.size() == wanted) {
      rows.pop_back();
      const CallRow& last = rows.back();
      page.next = CallCursor{last.start_us, last.call_id, last.node};
    }
    page.items = std::move(rows);
    return page;
  });
}

Result<std::optional<CallRow>> PgCallLogReader::Find(std::string_view call_id) {
  return Guard("find call", [&](pqxx::connection& conn) -> Result<std::optional<CallRow>> {
    pqxx::read_transaction tx(conn);
    const pqxx::result res = tx.exec_params(
        "SELECT " + SelectList() + " FROM call_logs WHERE call_id = $1" + kNewestFirst + " LIMIT 1",
        std::string(call_id));
    if (res.empty()) return std::optional<CallRow>();
    ASSIGN_OR_RETURN(CallRow r, ReadRow(res[0]));
    return std::optional<CallRow>(std::move(r));
  });
}

Result<LiveCalls> PgCallLogReader::Live(std::string_view node) {
  return Guard("live calls", [&](pqxx::connection& conn) -> Result<LiveCalls> {
    // One snapshot for both reads: the rows are exactly those of the
    // checkpoint, so a change with a larger seq is news and one with a
    // smaller or equal seq is already in them.
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(
        conn);
    LiveCalls live;
    // Before the projector's first connection there are no tables: nothing
    // is projected yet, which is an empty snapshot at seq 0, not an error.
    if (tx.exec("SELECT to_regclass('projector_checkpoint') IS NULL")[0][0].as<bool>()) return live;
    const pqxx::result cp = tx.exec_params(
        "SELECT last_seq FROM projector_checkpoint WHERE node = $1", std::string(node));
    if (!cp.empty()) live.checkpoint = Seq{static_cast<std::uint64_t>(cp[0][0].as<std::int64_t>())};
    const pqxx::result res =
        tx.exec_params("SELECT " + SelectList() +
                           " FROM call_logs WHERE node = $1 AND status <> 'yakunlandi'"
                           " ORDER BY start_time NULLS LAST, call_id COLLATE \"C\"",
                       std::string(node));
    live.calls.reserve(res.size());
    for (const auto& row : res) {
      ASSIGN_OR_RETURN(CallRow r, ReadRow(row));
      live.calls.push_back(std::move(r));
    }
    tx.commit();
    return live;
  });
}

Result<CallStats> PgCallLogReader::Stats(const StatsQuery& query) {
  return Guard("call stats", [&](pqxx::connection& conn) -> Result<CallStats> {
    pqxx::read_transaction tx(conn);
    return QueryStats(tx, query);
  });
}

Result<AgentList> PgCallLogReader::Agents(const AgentsQuery& query) {
  return Guard("agents", [&](pqxx::connection& conn) -> Result<AgentList> {
    pqxx::read_transaction tx(conn);
    return QueryAgents(tx, query);
  });
}

Result<GroupedStats> PgCallLogReader::Grouped(const GroupedStatsQuery& query) {
  return Guard("grouped call stats", [&](pqxx::connection& conn) -> Result<GroupedStats> {
    pqxx::read_transaction tx(conn);
    return QueryGroupedStats(tx, query);
  });
}

Result<MissedList> PgCallLogReader::Missed(const MissedQuery& query) {
  return Guard("missed calls", [&](pqxx::connection& conn) -> Result<MissedList> {
    pqxx::read_transaction tx(conn);
    return QueryMissed(tx, query);
  });
}

}  // namespace callledger::pg
