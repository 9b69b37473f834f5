// The measured phases of serving_bench (serving_bench.cc runs them against
// an in-process server::HttpServer on loopback), each printing its table in
// Markdown with the target it is held to (issue 5):
//   Searches    each kind of search from one keep-alive client, then from
//               `concurrency` clients at once: p99 <= 10 ms
//   CsvExports  every row, and ~10 % of them, read to the end and counted
//               against SELECT count(*): >= 100,000 rows/s
//   Live        paced ledger appends -> WebSocket clients (serving_live.h):
//               p99 <= 25 ms from ledger append to client
// A failed request, or an answer other than 200, ends the program (Die).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/metrics.h"
#include "core/status.h"
#include "server/http_server.h"
#include "serving_rows.h"
#include "store/rocks_event_log.h"

namespace callledger::bench {

using Clock = std::chrono::steady_clock;

// serving_bench's command line (see its usage).
struct Flags {
  std::size_t rows = 1'000'000;
  std::size_t requests = 2000;
  std::size_t warmup = 200;
  std::size_t concurrency = 4;
  std::size_t clients = 100;
  double rate = 5000;
  double seconds = 20;
  int days = 60;
  std::string phases = "search,csv,live";
  bool keep_db = false;
  int csv_limit_s = 1800;
  bool streamed = false;  // --load streamed
};

// Seconds since `since`.
double Seconds(Clock::time_point since);

// Prints "serving_bench: what: status" and exits with 2.
[[noreturn]] void Die(const std::string& what, const Status& s);

// The server listens on 127.0.0.1:`port`; `set` is what the call log holds.
void Searches(const Flags& f, const RowSet& set, std::uint16_t port);
// `dsn`: the call log's database, for the counts.
void CsvExports(const Flags& f, const RowSet& set, const std::string& dsn, std::uint16_t port);
// `log` and `server` as serving_live.h's RunLiveFanOut wants them.
void Live(const Flags& f, const std::string& dsn, std::uint16_t port, store::RocksEventLog& log,
          server::HttpServer& server, MetricsRegistry& metrics);

}  // namespace callledger::bench
