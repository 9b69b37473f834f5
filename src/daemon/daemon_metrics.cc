#include "daemon/daemon_metrics.h"

#include <algorithm>
#include <chrono>

#include "record/record_codec.h"

namespace callledger::daemon {

std::int64_t SystemNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double ProjectorLagSeconds(const EventLog& log, std::uint64_t checkpoint, std::int64_t now_us) {
  if (log.Head().seq.value <= checkpoint) return 0;
  auto bytes = log.ReadEncoded(Seq{checkpoint + 1});
  if (!bytes.ok()) return 0;
  auto record = DecodeRecord(*bytes);
  if (!record.ok()) return 0;
  return std::max<double>(0, (now_us - record->received_at_us) / 1e6);
}

void RegisterDaemonMetrics(MetricsRegistry& m, const EventLog& log, const Ingest& ingest,
                           const ProjectionLoop& projection, std::function<std::int64_t()> now_us) {
  const auto& in = ingest.stats();
  const auto& pr = projection.stats();
  m.SetCounterFunction("call_ledger_records_appended_total", "Records appended to the ledger.",
                       [&in] { return static_cast<double>(in.appended.load()); });
  m.SetCounterFunction(
      "call_ledger_frames_dropped_total",
      "Frames dropped because the ingest queue was full (each run of them has a gap record).",
      [&in] { return static_cast<double>(in.dropped.load()); });
  m.SetCounterFunction("call_ledger_append_errors_total",
                       "Ledger appends that failed (and were retried).",
                       [&in] { return static_cast<double>(in.append_errors.load()); });
  m.SetCounterFunction("call_ledger_gaps_total",
                       "Gap records: (re)connections and queue overflows.",
                       [&in] { return static_cast<double>(in.gaps.load()); });
  m.SetCounterFunction("call_ledger_ari_connects_total",
                       "ARI WebSocket connections made (the first and reconnects).",
                       [&in] { return static_cast<double>(in.connects.load()); });
  m.SetGauge("call_ledger_ari_connected", "1 while the ARI WebSocket is connected.",
             [&in] { return in.connected.load() ? 1.0 : 0.0; });
  m.SetGauge("call_ledger_ledger_head_seq", "The last seq appended to the ledger.",
             [&log] { return static_cast<double>(log.Head().seq.value); });
  m.SetGauge("call_ledger_projected_seq",
             "The call log's checkpoint (last ledger seq in PostgreSQL).",
             [&pr] { return static_cast<double>(pr.checkpoint.load()); });
  m.SetGauge("call_ledger_projector_lag_records",
             "Ledger records not yet projected into PostgreSQL.", [&log, &pr] {
               const auto head = log.Head().seq.value, cp = pr.checkpoint.load();
               return static_cast<double>(head > cp ? head - cp : 0);
             });
  m.SetGauge("call_ledger_projector_lag_seconds",
             "How long the oldest record not yet in PostgreSQL has waited.",
             [&log, &pr, now_us = std::move(now_us)] {
               return ProjectorLagSeconds(log, pr.checkpoint.load(), now_us());
             });
  m.SetCounterFunction("call_ledger_postgres_errors_total",
                       "Failed projection attempts (each is retried with backoff).",
                       [&pr] { return static_cast<double>(pr.store_errors.load()); });
  m.SetGauge("call_ledger_postgres_up", "1 if the projector's last PostgreSQL attempt succeeded.",
             [&pr] { return pr.store_up.load() ? 1.0 : 0.0; });
}

server::HealthReport DaemonHealthReport(const EventLog& log, const IngestStats& ingest,
                                        const ProjectionStats& projection, std::int64_t now_us) {
  server::HealthReport r;
  r.ari_connected = ingest.connected.load();
  r.ledger_writable = ingest.last_append_ok.load();
  r.postgres_reachable = projection.store_up.load();
  r.ledger_head = log.Head().seq.value;
  r.projected_seq = projection.checkpoint.load();
  r.projector_lag_seconds = ProjectorLagSeconds(log, r.projected_seq, now_us);
  return r;
}

void DaemonHealth::Attach(const Ingest& ingest, const ProjectionLoop& projection) {
  ingest_ = &ingest;
  projection_ = &projection;
}

server::HealthReport DaemonHealth::Report() const {
  if (ingest_ == nullptr || projection_ == nullptr) {
    server::HealthReport r;
    r.ledger_head = log_.Head().seq.value;
    return r;
  }
  return DaemonHealthReport(log_, ingest_->stats(), projection_->stats(), SystemNowUs());
}

}  // namespace callledger::daemon
