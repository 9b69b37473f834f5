// The SQL behind CallLogReader::Stats and ::Missed (core/call_stats.h has
// the definitions). Internal to src/pg: PgCallLogReader calls these inside
// its own error guard, so they may throw libpqxx exceptions.
#pragma once

#include <pqxx/transaction_base>

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

// One statement: the missed calls newest first (start_time, then call_id and
// node in byte order, all descending), each with its follow-ups; only_open
// filters before the limit. kInvalidInput for a limit outside [1, 1000] or a
// bad period.
Result<MissedList> QueryMissed(pqxx::transaction_base& tx, const MissedQuery& query);

}  // namespace callledger::pg
