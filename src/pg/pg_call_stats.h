// The SQL behind CallLogReader::Stats and ::Missed (core/call_stats.h has
// the definitions). Internal to src/pg: PgCallLogReader calls these inside
// its own error guard, so they may throw libpqxx exceptions.
#pragma once

#include <optional>
#include <pqxx/row>
#include <pqxx/transaction_base>
#include <string>

#include "core/call_stats.h"
#include "core/status.h"

namespace callledger::pg {

// The period's bounds: `since`/`until` when given, else (each missing one)
// from the day containing now() in `period.zone` (an IANA name; kInvalidInput
// naming "zone" if PostgreSQL does not know it). Returns {since_us, until_us}.
// kInvalidInput also when since >= until or a bound lies outside the years
// 1 to 9999. Both bounds given: no SQL at all.
Result<std::pair<std::int64_t, std::int64_t>> ResolvePeriod(pqxx::transaction_base& tx,
                                                            const StatsPeriod& period);

// One statement over the period. kInvalidInput for service_level_seconds
// outside [0, 3600] or a bad period.
Result<CallStats> QueryStats(pqxx::transaction_base& tx, const StatsQuery& query);

// One statement over the period, grouped (pg_grouped_stats.cc). The same
// errors, and kInvalidInput naming "zone" for an interval in a zone
// PostgreSQL does not know.
Result<GroupedStats> QueryGroupedStats(pqxx::transaction_base& tx, const GroupedStatsQuery& query);

// Three statements over the period and the live calls (pg_agents.cc).
// kInvalidInput for a bad period.
Result<AgentList> QueryAgents(pqxx::transaction_base& tx, const AgentsQuery& query);

// Shared by the statements of pg_call_stats.cc and pg_grouped_stats.cc.
namespace stats_sql {
// The CallFigures of a statement's row whose figure columns start at
// `first`, in the order of FigureColumns().
CallFigures FiguresOf(const pqxx::row& row, int first);
// The select list of those columns; $3 is the service level in seconds.
std::string FigureColumns();
// Whole milliseconds of sum_us / n as seconds; nullopt when n is 0.
std::optional<double> MeanSeconds(std::int64_t sum_us, std::int64_t n);
// kInvalidInput naming "zone" unless PostgreSQL knows the zone; kInvalidInput
// for service_level_seconds outside [0, 3600].
Status CheckZone(pqxx::transaction_base& tx, const std::string& zone);
Status CheckServiceLevel(int seconds);
}  // namespace stats_sql

// One statement: the missed calls newest first (start_time, then call_id and
// node in byte order, all descending), each with its follow-ups; only_open
// filters before the limit. kInvalidInput for a limit outside [1, 1000] or a
// bad period.
Result<MissedList> QueryMissed(pqxx::transaction_base& tx, const MissedQuery& query);

}  // namespace callledger::pg
