#include "pg/pg_call_stats.h"

#include <cstdlib>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <utility>

#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {

constexpr std::string_view kIncoming = "kiruvchi";
constexpr std::string_view kOutgoing = "chiquvchi";

constexpr int kMaxMissedLimit = 1000;
constexpr int kMaxServiceLevelSeconds = 3600;
// The longest IANA zone name is about 30 bytes; anything much longer is not
// a zone and is refused before it reaches the server.
constexpr std::size_t kMaxZoneBytes = 64;
// 0001-01-01 and 10000-01-01 UTC: every period a person can mean, and well
// inside what timestamptz holds, so a bound never overflows in SQL.
constexpr std::int64_t kMinTimeUs = -62'135'596'800'000'000;
constexpr std::int64_t kMaxTimeUs = 253'402'300'800'000'000;

// The local day containing now() in the zone bound as $1, as two
// timestamptz read back as exact UTC text. Going through `timestamp` (local
// wall time) makes "+ 1 day" the next local midnight, so a day with a DST
// change is 23 or 25 hours long, as it is on the PBX's clock.
std::string TodaySql() {
  const std::string local_midnight = "date_trunc('day', now() AT TIME ZONE $1)";
  return "SELECT " + TimeSql("(" + local_midnight + " AT TIME ZONE $1)") + ", " +
         TimeSql("((" + local_midnight + " + interval '1 day') AT TIME ZONE $1)");
}

// " 'name'" for an error message, or nothing when the name is not
// printable ASCII (as every zone name is): the message may end up in a
// JSON body or a log line, and hostile bytes should not.
std::string Quoted(const std::string& name) {
  for (unsigned char c : name) {
    if (c < 0x20 || c > 0x7e) return "";
  }
  return " '" + name + "'";
}

Result<std::pair<std::int64_t, std::int64_t>> Today(pqxx::transaction_base& tx,
                                                    const std::string& zone) {
  // libpq sends parameters as C strings: a NUL would silently cut the name
  // short and ask about another zone.
  if (zone.empty() || zone.size() > kMaxZoneBytes || zone.find('\0') != std::string::npos) {
    return InvalidInput("zone: not a time zone name");
  }
  // An unknown zone fails the statement. Inside a transaction block that
  // would poison every statement after it, so the statement runs under a
  // savepoint that is rolled back on error. The savepoint is taken by hand:
  // libpqxx 6.4's subtransaction issues its SAVEPOINT lazily from exec()
  // only, never before exec_params(), so it would roll back nothing.
  const bool in_block = dynamic_cast<pqxx::dbtransaction*>(&tx) != nullptr;
  constexpr const char* kSavepoint = "call_stats_zone";
  if (in_block) tx.exec(std::string("SAVEPOINT ") + kSavepoint);
  pqxx::result res;
  try {
    res = tx.exec_params(TodaySql(), zone);
  } catch (const pqxx::sql_error& e) {
    // Class 22 (data exception): 22023 "time zone ... not recognized", or
    // bytes that are not text in the database's encoding (22021). Anything
    // else is the database's trouble, for the caller's guard.
    if (e.sqlstate().rfind("22", 0) != 0) throw;
    if (in_block) tx.exec(std::string("ROLLBACK TO SAVEPOINT ") + kSavepoint);
    return InvalidInput("zone: unknown time zone" + Quoted(zone));
  }
  if (in_block) tx.exec(std::string("RELEASE SAVEPOINT ") + kSavepoint);
  const auto since = ParseTimestamp(res.at(0)[0].c_str());
  const auto until = ParseTimestamp(res.at(0)[1].c_str());
  if (!since || !until) return Internal("zone: unreadable day bounds for" + Quoted(zone));
  return std::pair{*since, *until};
}

// Whole milliseconds of sum_us / n, rounded half away from zero, in integer
// arithmetic (the sums are exact, so the result is too).
std::int64_t MeanMillis(std::int64_t sum_us, std::int64_t n) {
  const std::int64_t d = n * 1000;
  std::int64_t q = sum_us / d;
  const std::int64_t r = sum_us % d;
  if (2 * std::llabs(r) >= d) q += sum_us < 0 ? -1 : 1;
  return q;
}

std::optional<double> Ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// One statement for the whole period: the empty grouping set is the total
// (every direction, NULL included), the others one direction or one node
// each.
//   $1, $2  the period (UTC µs, bigint)   $3  service level seconds
//   $4      the node, when `one_node` (call_logs is partitioned by node)
std::string StatsSql(bool one_node) {
  return "SELECT grouping(direction), grouping(node), direction, node, " +
         stats_sql::FigureColumns() +
         " FROM call_logs"
         " WHERE start_time >= " +
         TimeParam(1) + " AND start_time < " + TimeParam(2) + (one_node ? " AND node = $4" : "") +
         " GROUP BY GROUPING SETS ((), (direction), (node))";
}
// The figures of a row of StatsSql come after the two grouping flags and
// the two keys.
constexpr int kStatsFirstFigure = 4;

// The follow-up of a missed call in `c` (call_logs aliased c, the missed
// call m): the first matching call after it, ties in byte order so the
// answer never depends on the plan. `where` fixes the number and
// `answered`, so with call_logs_from_idx/to_idx (number, answered,
// start_time; migration 3) each lookup is one index descent per partition
// that stops at the first entry, however many calls the number has. (Asking
// only whether there is one, without the order, is no cheaper: the planner
// then reads every match through a bitmap, thousands for a busy number.)
std::string FollowUpSql(std::string_view alias, std::string_view where) {
  return " LEFT JOIN LATERAL (SELECT c.call_id, c.node, c.start_time, c.answered"
         " FROM call_logs c WHERE " +
         std::string(where) +
         " AND c.start_time > m.start_time"
         " ORDER BY c.start_time, c.call_id COLLATE \"C\", c.node COLLATE \"C\" LIMIT 1) " +
         std::string(alias) + " ON true";
}

std::string FollowUpColumns(std::string_view alias) {
  const std::string a(alias);
  return ", " + a + ".call_id, " + a + ".node, " + TimeSql(a + ".start_time") + ", " + a +
         ".answered";
}

// The order of every missed-call list: newest first, ties in byte order.
constexpr std::string_view kNewestFirst =
    " ORDER BY start_time DESC, call_id COLLATE \"C\" DESC, node COLLATE \"C\" DESC";

// Every missed call of the period, newest first, with its follow-ups.
//   $1, $2  the period (UTC µs)   $3  the limit
//   $4      the node of the missed calls, when `one_node` (their follow-ups
//           are looked for on every node all the same)
// The inner query walks call_logs_missed_idx backwards and joins the
// follow-ups row by row; the outer LIMIT lets it stop after the rows it
// returns. (`OFFSET 0` fenced off an outer filter of open calls, which
// OpenMissedSql() has replaced; the statement is kept as it was measured.)
std::string AllMissedSql(bool one_node) {
  return "SELECT * FROM (SELECT " + SelectList("m.") + FollowUpColumns("cb_ok") +
         FollowUpColumns("cb_no") + FollowUpColumns("al") +
         ", (cb_ok.call_id IS NOT NULL OR al.call_id IS NOT NULL) AS resolved"
         " FROM call_logs m" +
         // The callback: the first answered outbound call to the number, and
         // only when there is none, the first (unanswered) attempt.
         FollowUpSql("cb_ok",
                     "c.direction = 'chiquvchi' AND c.to_number = m.from_number AND c.answered") +
         FollowUpSql("cb_no",
                     "cb_ok.call_id IS NULL AND c.direction = 'chiquvchi'"
                     " AND c.to_number = m.from_number AND NOT c.answered") +
         FollowUpSql("al",
                     "c.direction = 'kiruvchi' AND c.from_number = m.from_number AND c.answered") +
         " WHERE m.direction = 'kiruvchi' AND NOT m.answered AND m.status = 'yakunlandi'"
         " AND m.start_time >= " +
         TimeParam(1) + " AND m.start_time < " + TimeParam(2) +
         (one_node ? " AND m.node = $4" : "") +
         " ORDER BY m.start_time DESC, m.call_id COLLATE \"C\" DESC, m.node COLLATE \"C\" DESC"
         " OFFSET 0) x LIMIT $3";
}

// The open missed calls of the period, newest first, with their follow-ups:
// the same columns as AllMissedSql(), without walking past resolved calls.
//   $1, $2  the period (UTC µs)   $3  the limit   $4  the node, when `one_node`
// Those with a number are the rows of missed_open (pg/pg_missed_open.h),
// read newest first from missed_open_newest_idx; a missed call without a
// number is always open and not in missed_open, so the few of those are
// looked for in call_logs_missed_idx and merged in. Only the rows returned
// get their follow-ups. An open call has, by definition, no answered
// callback and no answered later call, so those columns are NULL and
// `resolved` false; its callback is the first attempt, if any.
std::string OpenMissedSql(bool one_node) {
  const std::string newest = std::string(kNewestFirst) + " LIMIT $3";
  const std::string period = "start_time >= " + TimeParam(1) + " AND start_time < " + TimeParam(2) +
                             (one_node ? " AND node = $4" : "");
  const std::string none = ", NULL::text, NULL::text, NULL::text, NULL::boolean";
  return "SELECT " + SelectList("m.") + none + FollowUpColumns("cb_no") + none +
         ", false AS resolved"
         " FROM (SELECT node, call_id, start_time FROM ("
         "(SELECT node, call_id, start_time FROM missed_open WHERE " +
         period + newest +
         ") UNION ALL (SELECT node, call_id, start_time FROM call_logs"
         " WHERE direction = 'kiruvchi' AND NOT answered AND status = 'yakunlandi'"
         " AND from_number IS NULL AND " +
         period + newest + ")) u" + newest +
         ") k JOIN call_logs m ON m.node = k.node AND m.call_id = k.call_id" +
         FollowUpSql("cb_no",
                     "c.direction = 'chiquvchi' AND c.to_number = m.from_number"
                     " AND NOT c.answered") +
         " ORDER BY k.start_time DESC, k.call_id COLLATE \"C\" DESC, k.node COLLATE \"C\" DESC";
}

// Reads the four FollowUpColumns() starting at `first`; nullopt when the
// lateral join found nothing.
Result<std::optional<FollowUp>> ReadFollowUp(const pqxx::row& row, int first) {
  if (row[first].is_null()) return std::optional<FollowUp>();
  FollowUp f;
  f.call_id = row[first].as<std::string>();
  f.node = row[first + 1].as<std::string>();
  // A follow-up has a start time: it was found by comparing it.
  const auto start = ParseTimestamp(row[first + 2].c_str());
  if (!start) return DataLoss("unreadable start time of call " + f.call_id);
  f.start_us = *start;
  f.answered = row[first + 3].as<bool>();
  return std::optional<FollowUp>(std::move(f));
}

}  // namespace

Result<std::pair<std::int64_t, std::int64_t>> ResolvePeriod(pqxx::transaction_base& tx,
                                                            const StatsPeriod& period) {
  for (const auto& [name, value] :
       {std::pair{"since", period.since_us}, std::pair{"until", period.until_us}}) {
    if (value && (*value < kMinTimeUs || *value >= kMaxTimeUs)) {
      return InvalidInput(std::string(name) + ": outside the years 1 to 9999");
    }
  }
  std::pair<std::int64_t, std::int64_t> bounds;
  if (period.since_us && period.until_us) {
    bounds = {*period.since_us, *period.until_us};
  } else {
    ASSIGN_OR_RETURN(const auto today, Today(tx, period.zone));
    bounds = {period.since_us.value_or(today.first), period.until_us.value_or(today.second)};
  }
  if (bounds.first >= bounds.second) return InvalidInput("until: must be later than since");
  return bounds;
}

namespace stats_sql {

// Durations are summed as intervals (exact integer microseconds inside
// PostgreSQL) and converted once per group through numeric epoch seconds,
// which is exact too; never through a floating-point epoch.
std::string FigureColumns() {
  return "count(*),"
         " count(*) FILTER (WHERE answered),"
         " count(*) FILTER (WHERE direction = 'kiruvchi' AND status = 'yakunlandi'"
         " AND NOT answered),"
         " count(answer_time - start_time) FILTER (WHERE answered),"
         " (extract(epoch FROM sum(answer_time - start_time) FILTER (WHERE answered))"
         " * 1000000)::bigint,"
         " count(end_time - answer_time) FILTER (WHERE answered AND status = 'yakunlandi'),"
         " (extract(epoch FROM sum(end_time - answer_time)"
         " FILTER (WHERE answered AND status = 'yakunlandi')) * 1000000)::bigint,"
         " count(*) FILTER (WHERE answered"
         " AND answer_time <= start_time + $3::integer * interval '1 second')";
}

CallFigures FiguresOf(const pqxx::row& row, int first) {
  const auto n = [&](int i) {
    return row[first + i].is_null() ? 0 : row[first + i].as<std::int64_t>();
  };
  CallFigures f;
  f.offered = n(0);
  f.answered = n(1);
  f.abandoned = n(2);
  f.abandon_rate = Ratio(f.abandoned, f.offered);
  f.avg_ring_seconds = MeanSeconds(n(4), n(3));
  f.avg_talk_seconds = MeanSeconds(n(6), n(5));
  f.service_level = Ratio(n(7), f.offered);
  return f;
}

std::optional<double> MeanSeconds(std::int64_t sum_us, std::int64_t n) {
  if (n == 0) return std::nullopt;
  return static_cast<double>(MeanMillis(sum_us, n)) / 1000.0;
}

Status CheckZone(pqxx::transaction_base& tx, const std::string& zone) {
  Result<std::pair<std::int64_t, std::int64_t>> today = Today(tx, zone);
  return today.ok() ? Status::Ok() : today.status();
}

Status CheckServiceLevel(int seconds) {
  if (seconds < 0 || seconds > kMaxServiceLevelSeconds) {
    return InvalidInput("service_level_seconds: must be between 0 and " +
                        std::to_string(kMaxServiceLevelSeconds));
  }
  return Status::Ok();
}

}  // namespace stats_sql

Result<CallStats> QueryStats(pqxx::transaction_base& tx, const StatsQuery& query) {
  RETURN_IF_ERROR(stats_sql::CheckServiceLevel(query.service_level_seconds));
  ASSIGN_OR_RETURN(const auto period, ResolvePeriod(tx, query.period));
  CallStats stats;
  stats.since_us = period.first;
  stats.until_us = period.second;
  stats.service_level_seconds = query.service_level_seconds;
  stats.by_direction[std::string(kIncoming)] = CallFigures{};
  stats.by_direction[std::string(kOutgoing)] = CallFigures{};
  const pqxx::result res = query.node ? tx.exec_params(StatsSql(true), period.first, period.second,
                                                       query.service_level_seconds, *query.node)
                                      : tx.exec_params(StatsSql(false), period.first, period.second,
                                                       query.service_level_seconds);
  for (const auto& row : res) {
    const bool by_direction = row[0].as<int>() == 0;
    const bool by_node = row[1].as<int>() == 0;
    if (!by_direction && !by_node) {
      stats.total = stats_sql::FiguresOf(row, kStatsFirstFigure);
    } else if (by_node) {
      stats.by_node[row[3].as<std::string>()] = stats_sql::FiguresOf(row, kStatsFirstFigure);
    } else if (!row[2].is_null()) {
      // NULL and any direction the projector does not write count in the
      // total only.
      const std::string direction = row[2].as<std::string>();
      if (direction == kIncoming || direction == kOutgoing) {
        stats.by_direction[direction] = stats_sql::FiguresOf(row, kStatsFirstFigure);
      }
    }
  }
  return stats;
}

Result<MissedList> QueryMissed(pqxx::transaction_base& tx, const MissedQuery& query) {
  if (query.limit < 1 || query.limit > kMaxMissedLimit) {
    return InvalidInput("limit: must be between 1 and " + std::to_string(kMaxMissedLimit));
  }
  ASSIGN_OR_RETURN(const auto period, ResolvePeriod(tx, query.period));
  MissedList list;
  list.since_us = period.first;
  list.until_us = period.second;
  const std::string sql = query.only_open ? OpenMissedSql(query.node.has_value())
                                          : AllMissedSql(query.node.has_value());
  const pqxx::result res =
      query.node ? tx.exec_params(sql, period.first, period.second, query.limit, *query.node)
                 : tx.exec_params(sql, period.first, period.second, query.limit);
  constexpr int kFirstFollowUp = static_cast<int>(kColumns.size());
  list.items.reserve(res.size());
  for (const auto& row : res) {
    MissedCall m;
    ASSIGN_OR_RETURN(m.call, ReadRow(row));
    ASSIGN_OR_RETURN(auto answered_callback, ReadFollowUp(row, kFirstFollowUp));
    ASSIGN_OR_RETURN(auto attempt, ReadFollowUp(row, kFirstFollowUp + 4));
    ASSIGN_OR_RETURN(m.answered_later, ReadFollowUp(row, kFirstFollowUp + 8));
    m.callback = answered_callback ? std::move(answered_callback) : std::move(attempt);
    m.resolved = row[kFirstFollowUp + 12].as<bool>();
    list.items.push_back(std::move(m));
  }
  return list;
}

}  // namespace callledger::pg
