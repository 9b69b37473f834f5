// call-ledgerd: the daemon on the PBX. The only place that wires concrete
// parts together: the ARI client -> ingest -> RocksDB ledger -> projection
// loop -> PostgreSQL.
//
//   call-ledgerd [--config FILE] [--env-file FILE] [--check-config]
//
// Configuration: docs/config.sample.toml, overridden by a .env file and the
// environment (ARI_URL, ARI_USER, ARI_PASSWORD, DATABASE_URL, LEDGER_DIR, ...).
// Logs go to stderr, one line each (journald adds the time). SIGINT/SIGTERM:
// stop reading, append and fsync what was received, one last projection
// attempt, exit 0.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <iostream>
#include <optional>

#include "ari/client.h"
#include "daemon/cel_collector.h"
#include "daemon/config.h"
#include "daemon/daemon_metrics.h"
#include "daemon/host_time_zone.h"
#include "daemon/ingest.h"
#include "daemon/projection_loop.h"
#include "daemon/wiring_options.h"
#include "payload/note.h"
#include "pg/pg_call_log_reader.h"
#include "pg/pg_call_log_store.h"
#include "server/http_server.h"
#include "store/rocks_event_log.h"

namespace {

using namespace callledger;
constexpr int kExitConfig = 2;
constexpr int kExitRuntime = 1;

// The logger is the thread-safe kind: the ARI client, the appender, the
// projection loop, the CEL collector and the HTTP workers all log, each on
// its own thread, and a single-threaded logger shares its formatter's state
// (the cached time) among them unguarded.
void SetUpLogging(daemon::LogLevel level) {
  auto logger = spdlog::stderr_logger_mt("call-ledgerd");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(std::string(daemon::LogLevelName(level))));
  spdlog::flush_on(spdlog::level::info);
}

// SIGINT/SIGTERM wait (blocked, pending) until main's handler is in place,
// so a stop during start-up is as clean as any other. Threads started
// meanwhile inherit the mask and never take them. Returns the set, for
// unblocking.
sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

// The projector options in force, recorded in the ledger before any frame
// this run receives (DESIGN invariant 1).
Status AppendOptionsNote(EventLog& log, const daemon::DaemonConfig& config) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  payload::NotePayload options;
  options.projector_options = payload::ProjectorOptionsNote{
      config.projector.call_app, config.projector.recordings_dir.string()};
  const RecordDraft note = payload::NoteDraft(options, "projector options at daemon start", now);
  auto r = log.Append(std::span(&note, 1));
  return r.ok() ? Status::Ok() : r.status();
}

// The call log's store for the projection loop, opened (and reopened after
// a failure) by the loop itself.
daemon::ProjectionLoop::StoreOpener PgStoreOpener(const std::string& dsn) {
  return [dsn]() -> Result<std::unique_ptr<CallLogStore>> {
    pg::PgOptions pg_options;
    pg_options.application_name = "call-ledgerd";
    ASSIGN_OR_RETURN(auto store, pg::PgCallLogStore::Open(dsn, pg_options));
    return std::unique_ptr<CallLogStore>(std::move(store));
  };
}

// One call-log reader per HTTP worker, each on a connection of its own.
std::function<std::unique_ptr<CallLogReader>()> PgReaderFactory(const std::string& dsn) {
  return [dsn]() -> std::unique_ptr<CallLogReader> {
    pg::PgReaderOptions o;
    o.application_name = "call-ledgerd-http";
    return std::make_unique<pg::PgCallLogReader>(dsn, o);
  };
}

// Runs the ARI client on this thread, feeding `ingest`, until SIGINT or
// SIGTERM stops it (they are unblocked once the handler is in place).
void RunAriClient(const daemon::DaemonConfig& config, const daemon::AriEndpoint& endpoint,
                  daemon::Ingest& ingest, const sigset_t& stop_signals) {
  boost::asio::io_context io;
  ari::AriClient client(io, daemon::AriClientOptions(config, endpoint), ingest);
  spdlog::info("connecting to {} as application '{}' ({})", client.EventsUrlForLogs(),
               config.ari.app, config.ari.subscribe_all ? "observer, subscribeAll" : "app mode");
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {}: stopping", signo);
    client.Stop();
  });
  boost::asio::co_spawn(io, client.Run(), [&](std::exception_ptr) { signals.cancel(); });
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  io.run();
}

}  // namespace

int main(int argc, char** argv) {
  // A handful of long-lived threads (network, appender, projection,
  // RocksDB's) each get their own malloc arena by default; two keep the
  // daemon's resident memory lower with no measurable cost here.
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{
      "call-ledgerd: records every ARI event of an Asterisk into a hash-chained ledger and keeps "
      "the PostgreSQL call log projected from it. Configuration: --config FILE (TOML), a .env "
      "file and environment variables (ARI_URL, ARI_USER, ARI_PASSWORD, ARI_APP, "
      "ARI_SUBSCRIBE_ALL, DATABASE_URL, LEDGER_DIR, NODE_NAME, HTTP_LISTEN, ...); see "
      "docs/config.sample.toml. Secrets are never taken from the command line."};
  std::string config_file, env_file;
  bool check_only = false;
  app.add_option("--config", config_file, "TOML configuration file");
  app.add_option("--env-file", env_file, "A .env file (default: ./.env if present)");
  app.add_flag("--check-config", check_only,
               "Validate the configuration, print it (secrets redacted) and exit");
  CLI11_PARSE(app, argc, argv);

  daemon::LoadOptions load;
  if (!config_file.empty()) load.config_file = config_file;
  if (!env_file.empty()) load.env_file = env_file;
  load.environment = daemon::EnvironmentFromProcess();
  auto loaded = daemon::LoadConfig(load);
  if (!loaded.ok()) {
    std::fprintf(stderr, "call-ledgerd: configuration error: %s\n",
                 loaded.status().message().c_str());
    return kExitConfig;
  }
  const daemon::DaemonConfig& config = *loaded;
  if (check_only) {
    std::cout << daemon::Redacted(config);
    for (const auto& w : config.warnings) std::cout << "warning: " << w << "\n";
    std::cout << "configuration ok\n";
    return 0;
  }
  SetUpLogging(config.log.level);
  const sigset_t stop_signals = BlockStopSignals();
  auto endpoint = config.ari.Endpoint();
  if (!endpoint.ok()) {
    spdlog::critical("configuration error: {}", endpoint.status().message());
    return kExitConfig;
  }
  for (const auto& w : config.warnings) spdlog::warn("configuration: {}", w);

  MetricsRegistry metrics;
  auto ledger = store::RocksEventLog::Open(
      config.ledger.dir,
      daemon::LedgerOptions(config,
                            &metrics.GetHistogram("call_ledger_fsync_seconds",
                                                  "Time of one ledger WAL fsync (group commit).")));
  if (!ledger.ok()) {
    spdlog::critical("cannot open the ledger: {}", ledger.status().message());
    return ledger.status().code() == Code::kFailedPrecondition ? kExitConfig : kExitRuntime;
  }
  EventLog& log = **ledger;
  spdlog::info("ledger {} (node {}), head seq {}", config.ledger.dir.string(), log.Info().node,
               log.Head().seq.value);
  if (Status s = AppendOptionsNote(log, config); !s.ok()) {
    spdlog::critical("cannot append to the ledger: {}", s.ToString());
    return kExitRuntime;
  }

  // The parts. The HTTP server goes first so the projection can publish to
  // it; it starts serving below, once everything it reports on exists.
  const std::string dsn = config.database.url.Reveal();
  auto http_options =
      daemon::HttpServerOptionsFrom(config, log.Info().node, daemon::PbxTimeZone(config));
  if (!http_options.ok()) {
    spdlog::critical("configuration error: {}", http_options.status().message());
    return kExitConfig;
  }
  daemon::DaemonHealth health(log);
  server::HttpServer http(
      *http_options, {PgReaderFactory(dsn), &log, &metrics, [&health] { return health.Report(); }});

  daemon::ProjectionLoopOptions loop_options = daemon::ProjectionLoopOptionsFrom(config);
  loop_options.on_committed = [&http](Seq checkpoint, const std::vector<RowChange>& changes) {
    http.Publish(checkpoint, changes);
  };
  daemon::ProjectionLoop projection(log, PgStoreOpener(dsn), loop_options);
  spdlog::info("projecting into PostgreSQL {}", daemon::RedactConnectionString(dsn));

  daemon::Ingest ingest(log, daemon::IngestOptionsFrom(config, &metrics));
  // CEL evidence after every gap, read on the collector's own thread.
  std::optional<daemon::CelCollector> cel;
  if (auto cel_options = daemon::CelCollectorOptionsFrom(config, &metrics)) {
    cel.emplace([&ingest](RecordDraft d) { return ingest.PushEvidence(std::move(d)); },
                std::move(*cel_options));
    ingest.SetOnGapWindow([&cel](cel::GapWindow w) { cel->Collect(std::move(w)); });
    spdlog::info("CEL: recording the lines of {} after every gap", config.cel.file->string());
  }
  health.Attach(ingest, projection);
  daemon::RegisterDaemonMetrics(metrics, log, ingest, projection);
  ingest.SetOnAppended([&projection](Seq) { projection.Notify(); });
  // A ledger that cannot take records in this process: stop as a SIGTERM
  // would, and exit non-zero so that the service manager starts the daemon
  // again (a new process opens the ledger again; docs/operations.md, 5c).
  std::atomic<bool> ledger_lost{false};
  ingest.SetOnLedgerLost([&ledger_lost](const Status&) {
    ledger_lost = true;
    ::kill(::getpid(), SIGTERM);
  });

  // Run: the ledger side first, then the HTTP server, then the ARI client
  // on this thread until a signal stops it.
  ingest.Start();
  if (cel) cel->Start();
  projection.Start();
  auto serving = http.Start();
  if (!serving.ok()) {
    spdlog::critical("cannot serve HTTP: {}", serving.status().message());
    ingest.StopEvidenceWaits();
    if (cel) cel->Stop();
    ingest.Stop();
    projection.Stop();
    return kExitConfig;
  }
  spdlog::info(
      "http listening on {} (wallboard http://{}/ , API /api/calls, live feed /api/live, /metrics, "
      "/healthz; PBX zone {})",
      *serving, *serving, http_options->api.zone);

  RunAriClient(config, *endpoint, ingest, stop_signals);

  // Stop: the CEL collector reads its windows without waiting more and
  // hands them over; the ingest appends what was received and fsyncs; the
  // projection makes a last attempt; then the HTTP server closes.
  ingest.StopEvidenceWaits();
  if (cel) cel->Stop();
  ingest.Stop();
  projection.Stop();
  http.Stop();
  spdlog::info("stopped: ledger head seq {}, call log at seq {}, {} frames received, {} dropped",
               log.Head().seq.value, projection.stats().checkpoint.load(),
               ingest.stats().frames.load(), ingest.stats().dropped.load());
  if (ledger_lost) {
    spdlog::critical(
        "exiting: the ledger takes no records in this process; start the daemon "
        "again (systemd does: Restart=always)");
    return kExitRuntime;
  }
  return 0;
}
