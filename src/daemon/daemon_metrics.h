// What call-ledgerd reports about itself: its metrics (/metrics, beside
// the HTTP server's and the ingest's own) and its health (/healthz), read
// from the ledger, the ingest's and the projection loop's statistics.
//
// Threads: every figure is read from atomics or through the EventLog's
// concurrent-reader API, so the HTTP server's thread may call these while the
// appender and the projection run. The clock is passed in where a figure
// depends on it, so that tests can fix it.
#pragma once

#include <cstdint>
#include <functional>

#include "core/event_log.h"
#include "core/metrics.h"
#include "daemon/ingest.h"
#include "daemon/projection_loop.h"
#include "server/health.h"

namespace callledger::daemon {

// Microseconds since the epoch, by the system clock (the clock of
// received_at_us).
std::int64_t SystemNowUs();

// How long the oldest record not yet in PostgreSQL (the one after
// `checkpoint`) has waited at `now_us`, by the daemon's clock (its
// received_at); 0 when the call log is caught up, or if that record cannot
// be read.
double ProjectorLagSeconds(const EventLog& log, std::uint64_t checkpoint, std::int64_t now_us);

// The daemon's metrics: records appended, frames dropped, append errors,
// gaps, ARI connects and connection, the ledger head, the call log's
// checkpoint, the projector's lag in records and seconds, PostgreSQL errors
// and reachability. `log`, `ingest`, `projection` and `now_us` must outlive
// `metrics`' last rendering.
void RegisterDaemonMetrics(MetricsRegistry& metrics, const EventLog& log, const Ingest& ingest,
                           const ProjectionLoop& projection,
                           std::function<std::int64_t()> now_us = SystemNowUs);

// The health report of the daemon at `now_us`.
server::HealthReport DaemonHealthReport(const EventLog& log, const IngestStats& ingest,
                                        const ProjectionStats& projection, std::int64_t now_us);

// The health source for HttpServerDeps::health. The HTTP server is made
// before the ingest and the projection loop (the loop publishes to it), so
// they are attached afterwards; the server asks for a report only while it
// serves, which starts after Attach().
class DaemonHealth {
 public:
  explicit DaemonHealth(const EventLog& log) : log_(log) {}
  DaemonHealth(const DaemonHealth&) = delete;
  DaemonHealth& operator=(const DaemonHealth&) = delete;

  void Attach(const Ingest& ingest, const ProjectionLoop& projection);
  // By the system clock. Before Attach(): unhealthy (nothing runs yet).
  server::HealthReport Report() const;

 private:
  const EventLog& log_;
  const Ingest* ingest_ = nullptr;
  const ProjectionLoop* projection_ = nullptr;
};

}  // namespace callledger::daemon
