// PgCallLogReader: the CallLogReader port (core/call_log_reader.h) on the
// PostgreSQL tables PgCallLogStore writes. SQL with bound parameters only.
//
// One connection, opened on first use and reopened after it breaks; every
// statement runs under `statement_timeout` so a pathological search cannot
// hold a server worker for long. Reads are read-only transactions.
//
// Errors as core/call_log_reader.h says; libpqxx exceptions never escape.
// Not thread-safe: one caller at a time.
#pragma once

#include <chrono>
#include <memory>
#include <pqxx/connection>
#include <string>

#include "core/call_log_reader.h"

namespace callledger::pg {

struct PgReaderOptions {
  std::string application_name = "call-ledger-reader";
  // PostgreSQL cancels a statement that runs longer (SQLSTATE 57014,
  // reported as kUnavailable).
  std::chrono::milliseconds statement_timeout{5000};
};

class PgCallLogReader final : public CallLogReader {
 public:
  // Connects lazily: construction never fails.
  explicit PgCallLogReader(std::string dsn, PgReaderOptions options = {});
  ~PgCallLogReader() override;

  Result<CallPage> Search(const CallQuery& query) override;
  Result<std::optional<CallRow>> Find(std::string_view call_id) override;
  Result<LiveCalls> Live(std::string_view node) override;
  Result<CallStats> Stats(const StatsQuery& query) override;
  Result<GroupedStats> Grouped(const GroupedStatsQuery& query) override;
  Result<AgentList> Agents(const AgentsQuery& query) override;
  Result<MissedList> Missed(const MissedQuery& query) override;

 private:
  template <typename Fn>
  auto Guard(std::string_view what, Fn&& fn) -> decltype(fn(std::declval<pqxx::connection&>()));

  std::string dsn_;
  PgReaderOptions options_;
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace callledger::pg
