// The live-feed half of serving_bench: the daemon's write path feeding
// `WS /api/live` clients, all real parts on loopback.
//
//   paced appends (observer frames, fresh ids) -> RocksEventLog
//     -> ProjectionLoop (PostgreSQL) -> on_committed -> HttpServer::Publish
//     -> N WebSocket clients (one io_context, async reads)
//
// The appender hands frames to the ledger in small batches, as the daemon's
// ingest does at that rate, and notes the steady_clock time of each batch
// by seq before appending it. Each client reads every "changes" message and
// takes, for each upserted row, receipt time minus the append time of the
// row's last_seq: the lag from the ledger to a wallboard.
#pragma once

#include <cstdint>
#include <string>

#include "core/metrics.h"
#include "core/status.h"
#include "server/http_server.h"
#include "store/rocks_event_log.h"

namespace callledger::bench {

struct LiveOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t clients = 100;
  double rate = 5000;  // frames per second
  double seconds = 20;
  std::string dsn;  // the projection's PostgreSQL
};

struct LiveReport {
  std::size_t clients = 0;
  std::size_t snapshot_calls = 0;        // live calls in the first client's snapshot
  std::uint64_t frames = 0;              // appended
  double append_seconds = 0;             // first to last append
  std::uint64_t calls_changed = 0;       // distinct rows in the changes
  std::uint64_t published_batches = 0;   // on_committed calls: batches with changes
  std::uint64_t published_changes = 0;   // row changes in them
  std::uint64_t min_client_changes = 0;  // received by the worst client
  std::uint64_t max_client_changes = 0;
  std::uint64_t delivered_changes = 0;  // summed over clients
  double delivery_seconds = 0;          // first append to last receipt
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::uint64_t latency_samples = 0;
  std::uint64_t clients_dropped = 0;   // connections that ended early
  std::uint64_t slow_disconnects = 0;  // the server's counter
  std::uint64_t unmatched_seqs = 0;    // last_seq without a recorded append
};

// Runs the fan-out against `server` (started, its node that of `log`).
// `log` must be empty-ahead: every record appended here is timed.
Result<LiveReport> RunLiveFanOut(const LiveOptions& options, store::RocksEventLog& log,
                                 server::HttpServer& server, MetricsRegistry& metrics);

}  // namespace callledger::bench
