// GET /api/stats?group_by=...&interval=... (issue 14): the period's calls
// grouped by a column, by the hour or day they started in the PBX's zone,
// or both, in one statement (core/call_stats.h has the definitions).
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "pg/pg_call_stats.h"
#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {

// The column a group takes its key from. Fixed names: a value from the
// request never reaches the SQL text.
std::string_view KeyColumn(StatsGroup g) {
  switch (g) {
    case StatsGroup::kAgent:
      return "c.agent";
    case StatsGroup::kDirection:
      return "c.direction";
    case StatsGroup::kToNumber:
      return "c.to_number";
    case StatsGroup::kNode:
      return "c.node";
  }
  return "NULL::text";
}

// The local wall time its hour or day began, "2026-11-26T14:00", in the
// zone bound as $zone. date_trunc on the local timestamp: a day with a DST
// change is one bucket of 23 or 25 hours, as on the PBX's clock.
std::string BucketSql(StatsInterval i, int zone) {
  const std::string unit = i == StatsInterval::kHour ? "hour" : "day";
  return "to_char(date_trunc('" + unit + "', c.start_time AT TIME ZONE $" + std::to_string(zone) +
         "), 'YYYY-MM-DD\"T\"HH24:MI')";
}

// $1, $2 the period   $3 service level seconds   then the zone (with an
// interval) and the node (with one), in that order.
//   columns: key, bucket, the figures (stats_sql::FigureColumns), missed,
//   the longest wait in µs
// An abandoned call is missed while it is open: in missed_open, or without
// a number (never in missed_open, always open: pg/pg_missed_open.h).
std::string GroupedSql(const GroupedStatsQuery& q) {
  int next = 4;
  const std::string key = q.group_by ? std::string(KeyColumn(*q.group_by)) : "NULL::text";
  const std::string bucket = q.interval ? BucketSql(*q.interval, next++) : "NULL::text";
  const std::string node = q.stats.node ? " AND c.node = $" + std::to_string(next++) : "";
  const std::string abandoned =
      "c.direction = 'kiruvchi' AND c.status = 'yakunlandi' AND NOT c.answered";
  // The figure columns name call_logs' columns unqualified: only c has them
  // (missed_open's start_time aside, which the join keeps out by aliasing).
  return "SELECT k, b, " + stats_sql::FigureColumns() +
         ", count(*) FILTER (WHERE abandoned AND (open_call OR from_number IS NULL)),"
         " (extract(epoch FROM max(coalesce(answer_time, end_time) - start_time)) * "
         "1000000)::bigint"
         " FROM (SELECT " +
         key + " AS k, " + bucket +
         " AS b, c.direction, c.status, c.answered, c.start_time, c.answer_time, c.end_time,"
         " c.from_number, (" +
         abandoned +
         ") AS abandoned, o.call_id IS NOT NULL AS open_call"
         " FROM call_logs c LEFT JOIN missed_open o ON o.node = c.node AND o.call_id = c.call_id"
         " WHERE c.start_time >= " +
         TimeParam(1) + " AND c.start_time < " + TimeParam(2) + node +
         ") g GROUP BY k, b ORDER BY b, k COLLATE \"C\" NULLS LAST";
}

constexpr int kFirstFigure = 2;
constexpr int kFigureColumns = 8;

}  // namespace

Result<GroupedStats> QueryGroupedStats(pqxx::transaction_base& tx, const GroupedStatsQuery& q) {
  RETURN_IF_ERROR(stats_sql::CheckServiceLevel(q.stats.service_level_seconds));
  ASSIGN_OR_RETURN(const auto period, ResolvePeriod(tx, q.stats.period));
  if (q.interval) RETURN_IF_ERROR(stats_sql::CheckZone(tx, q.stats.period.zone));
  GroupedStats out;
  out.since_us = period.first;
  out.until_us = period.second;
  out.service_level_seconds = q.stats.service_level_seconds;
  // libpqxx 6.4 binds a list of values as text (pqxx::prepare).
  std::vector<std::string> params = {std::to_string(period.first), std::to_string(period.second),
                                     std::to_string(q.stats.service_level_seconds)};
  if (q.interval) params.push_back(q.stats.period.zone);
  if (q.stats.node) params.push_back(*q.stats.node);
  const pqxx::result res =
      tx.exec_params(GroupedSql(q), pqxx::prepare::make_dynamic_params(params));
  for (const auto& row : res) {
    StatsGroupFigures g;
    if (!row[0].is_null()) g.key = row[0].as<std::string>();
    if (!row[1].is_null()) g.interval_start = row[1].as<std::string>();
    g.figures = stats_sql::FiguresOf(row, kFirstFigure);
    g.missed = row[kFirstFigure + kFigureColumns].as<std::int64_t>();
    const auto& wait = row[kFirstFigure + kFigureColumns + 1];
    if (!wait.is_null())
      g.longest_wait_seconds = stats_sql::MeanSeconds(wait.as<std::int64_t>(), 1);
    out.groups.push_back(std::move(g));
  }
  return out;
}

}  // namespace callledger::pg
