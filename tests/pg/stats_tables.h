// What the supervisor-figure tests (pg_call_stats_test.cc and its
// neighbours) share: time units, a call log table filled with given rows on
// a test database (Table), and a day of hand-made missed calls with their
// callbacks (MissedFixture). Catch2 assertions: use them from a test.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/call_row.h"
#include "core/call_stats.h"
#include "core/status.h"
#include "support/pg_test_db.h"

namespace callledger::testing {

inline constexpr std::int64_t kSecond = 1'000'000;
inline constexpr std::int64_t kMinute = 60 * kSecond;
inline constexpr std::int64_t kHour = 60 * kMinute;
inline constexpr std::int64_t kDay = 24 * kHour;

// An ARI timestamp as UTC µs; REQUIREs that it parses.
std::int64_t At(const std::string& text);

// A test database with the schema and `rows` (any nodes) in call_logs.
class Table {
 public:
  explicit Table(const std::vector<CallRow>& rows);

  // pg::QueryStats, pg::QueryMissed and pg::QueryGroupedStats in a read
  // transaction of their own.
  Result<CallStats> Stats(const StatsQuery& q);
  Result<MissedList> Missed(const MissedQuery& q);
  Result<GroupedStats> Grouped(const GroupedStatsQuery& q);
  Result<AgentList> Agents(const AgentsQuery& q);
  std::string Count() const { return db_.Exec("SELECT count(*) FROM call_logs"); }
  const TestDatabase& db() const { return db_; }

 private:
  TestDatabase db_;
};

StatsPeriod Period(std::int64_t since, std::int64_t until);

// Whether `s` is kInvalidInput blaming `parameter`.
bool IsInvalid(const Status& s, const std::string& parameter);

// One day (2026-11-21, +0500) of missed calls on two nodes, with answered
// and unanswered callbacks, calls answered later, hostile numbers, ties and
// calls outside the day.
struct MissedFixture {
  std::int64_t day = At("2026-11-21T00:00:00+0500");
  std::int64_t H(int hour, int minute = 0) const { return day + hour * kHour + minute * kMinute; }
  std::vector<CallRow> rows;
  std::map<std::string, CallRow> by_id;

  void Add(CallRow r) {
    by_id[r.call_id] = r;
    rows.push_back(std::move(r));
  }
  MissedFixture();
};

}  // namespace callledger::testing
