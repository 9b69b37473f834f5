// `GET /healthz`: is the daemon doing its job? A pure function of a report
// the daemon assembles (the server shell calls it; tests call it directly).
//
// Healthy (200) when ARI is connected, the last ledger append succeeded,
// PostgreSQL was reachable at the projector's last attempt and the call
// log is at most `max_lag_seconds` behind the ledger; otherwise 503. The
// body is JSON either way: {"status": "ok"|"unhealthy", "problems": [...],
// and the figures}.
#pragma once

#include <cstdint>

#include "server/routes.h"

namespace callledger::server {

struct HealthReport {
  bool ari_connected = false;
  bool ledger_writable = false;
  bool postgres_reachable = false;
  std::uint64_t ledger_head = 0;     // last appended seq
  std::uint64_t projected_seq = 0;   // the call log's checkpoint
  double projector_lag_seconds = 0;  // since the call log last caught up
};

HttpResponse HealthResponse(const HealthReport& report, double max_lag_seconds);

}  // namespace callledger::server
