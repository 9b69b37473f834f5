// The daemon's own metrics and health (daemon/daemon_metrics.h) over an
// in-memory ledger and an ingest and projection loop that are built but not
// started, with the clock fixed by the test.
#include "daemon/daemon_metrics.h"

#include <catch2/catch.hpp>

#include "store/memory_event_log.h"

namespace callledger::daemon {
namespace {

constexpr std::int64_t kT0 = 1'795'684'558'000'000;  // received_at of record 1

// A ledger of `n` notes received one second apart from kT0.
std::unique_ptr<store::MemoryEventLog> Ledger(int n) {
  auto log = std::make_unique<store::MemoryEventLog>("pbx-m");
  std::vector<RecordDraft> drafts;
  for (int i = 0; i < n; ++i) {
    RecordDraft d;
    d.kind = RecordKind::kNote;
    d.received_at_us = kT0 + i * 1'000'000;
    d.event_time_us = d.received_at_us;
    d.payload = "{}";
    drafts.push_back(d);
  }
  REQUIRE(log->Append(drafts).ok());
  return log;
}

// Whether the Prometheus text holds `line` as a whole line.
bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

ProjectionLoop::StoreOpener NoStore() {
  return []() -> Result<std::unique_ptr<CallLogStore>> { return Unavailable("no database"); };
}

TEST_CASE("projector lag: the wait of the oldest record not yet projected") {
  auto log = Ledger(3);
  CHECK(ProjectorLagSeconds(*log, 3, kT0 + 60'000'000) == 0);  // caught up
  CHECK(ProjectorLagSeconds(*log, 0, kT0 + 2'500'000) == 2.5);
  CHECK(ProjectorLagSeconds(*log, 1, kT0 + 2'500'000) == 1.5);
  // A clock behind the record's receipt is no negative lag.
  CHECK(ProjectorLagSeconds(*log, 0, kT0 - 1'000'000) == 0);
  // A checkpoint beyond the head (another rebuild wrote it) is caught up.
  CHECK(ProjectorLagSeconds(*log, 9, kT0) == 0);
}

TEST_CASE("health report: the ingest's and the projection's figures, lag by the given clock") {
  auto log = Ledger(4);
  IngestStats ingest;
  ProjectionStats projection;
  ingest.connected = true;
  ingest.last_append_ok = false;
  projection.store_up = true;
  projection.checkpoint = 2;
  const server::HealthReport r = DaemonHealthReport(*log, ingest, projection, kT0 + 4'000'000);
  CHECK(r.ari_connected);
  CHECK_FALSE(r.ledger_writable);
  CHECK(r.postgres_reachable);
  CHECK(r.ledger_head == 4);
  CHECK(r.projected_seq == 2);
  CHECK(r.projector_lag_seconds == 2.0);  // record 3, received at kT0 + 2 s
}

TEST_CASE("daemon health: unhealthy until the parts are attached, then theirs") {
  auto log = Ledger(2);
  DaemonHealth health(*log);
  const server::HealthReport before = health.Report();
  CHECK_FALSE(before.ari_connected);
  CHECK_FALSE(before.ledger_writable);
  CHECK_FALSE(before.postgres_reachable);
  CHECK(before.ledger_head == 2);

  Ingest ingest(*log, {});
  ProjectionLoop projection(*log, NoStore());
  health.Attach(ingest, projection);
  const server::HealthReport after = health.Report();
  CHECK(after.ledger_writable);  // the ingest's initial state: no append failed
  CHECK_FALSE(after.ari_connected);
  CHECK_FALSE(after.postgres_reachable);
  CHECK(after.ledger_head == 2);
  CHECK(after.projected_seq == 0);
}

TEST_CASE("daemon metrics: every name registered, read from the parts and the given clock") {
  auto log = Ledger(5);
  Ingest ingest(*log, {});
  ProjectionLoop projection(*log, NoStore());
  MetricsRegistry metrics;
  RegisterDaemonMetrics(metrics, *log, ingest, projection, [] { return kT0 + 7'250'000; });
  const std::string text = metrics.RenderPrometheus();
  INFO(text);
  CHECK(HasLine(text, "call_ledger_records_appended_total 0"));
  CHECK(HasLine(text, "call_ledger_frames_dropped_total 0"));
  CHECK(HasLine(text, "call_ledger_append_errors_total 0"));
  CHECK(HasLine(text, "call_ledger_gaps_total 0"));
  CHECK(HasLine(text, "call_ledger_ari_connects_total 0"));
  CHECK(HasLine(text, "call_ledger_ari_connected 0"));
  CHECK(HasLine(text, "call_ledger_ledger_head_seq 5"));
  CHECK(HasLine(text, "call_ledger_projected_seq 0"));
  CHECK(HasLine(text, "call_ledger_projector_lag_records 5"));
  CHECK(HasLine(text, "call_ledger_projector_lag_seconds 7.25"));
  CHECK(HasLine(text, "call_ledger_postgres_errors_total 0"));
  CHECK(HasLine(text, "call_ledger_postgres_up 0"));
  CHECK_THAT(text, Catch::Contains("# TYPE call_ledger_records_appended_total counter"));
  CHECK_THAT(text, Catch::Contains("# TYPE call_ledger_ledger_head_seq gauge"));
}

}  // namespace
}  // namespace callledger::daemon
