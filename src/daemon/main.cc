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

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "ari/client.h"
#include "daemon/config.h"
#include "daemon/ingest.h"
#include "daemon/projection_loop.h"
#include "payload/note.h"
#include "pg/pg_call_log_reader.h"
#include "pg/pg_call_log_store.h"
#include "record/record_codec.h"
#include "server/http_server.h"
#include "store/rocks_event_log.h"

namespace {

using namespace callledger;
constexpr int kExitConfig = 2;
constexpr int kExitRuntime = 1;

void SetUpLogging(daemon::LogLevel level) {
  auto logger = spdlog::stderr_logger_st("call-ledgerd");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(std::string(daemon::LogLevelName(level))));
  spdlog::flush_on(spdlog::level::info);
}

ari::ClientOptions ClientOptionsFrom(const daemon::DaemonConfig& config,
                                     const daemon::AriEndpoint& ep) {
  ari::ClientOptions o;
  o.host = ep.host;
  o.port = std::to_string(ep.port);
  o.tls = ep.transport == daemon::Transport::kTls;
  o.verify_tls = config.ari.verify_tls;
  o.ca_file = config.ari.ca_file ? config.ari.ca_file->string() : std::string();
  o.events_target = ep.EventsPath() + "?" + config.ari.EventsQuery();
  const std::string rest = ep.RestPath("");
  o.rest_prefix = rest.ends_with("/") ? rest.substr(0, rest.size() - 1) : rest;
  const std::string key = config.ari.ApiKeyParam();
  o.rest_query = key.empty() ? std::string() : "?" + key;
  if (config.ari.auth == daemon::AriAuth::kBasic && !config.ari.user.empty()) {
    o.authorization = ari::BasicAuthorization(config.ari.user, config.ari.password.Reveal());
  }
  o.url_for_logs = daemon::RedactUrl(ep.EventsUrl() + "?" + config.ari.EventsQuery());
  o.reconnect_initial = config.ari.reconnect_initial_ms;
  o.reconnect_max = config.ari.reconnect_max_ms;
  o.ping_interval = config.ari.ping_interval_ms;
  return o;
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

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The host's IANA zone name: TZ, /etc/timezone, or the /etc/localtime link.
std::string HostTimeZone() {
  if (const char* tz = std::getenv("TZ"); tz != nullptr && *tz != '\0') {
    return tz[0] == ':' ? std::string(tz + 1) : std::string(tz);
  }
  if (std::ifstream f("/etc/timezone"); f) {
    std::string zone;
    if (std::getline(f, zone) && !zone.empty()) return zone;
  }
  std::error_code ec;
  const auto target = std::filesystem::read_symlink("/etc/localtime", ec).string();
  if (const auto at = target.find("zoneinfo/"); !ec && at != std::string::npos)
    return target.substr(at + 9);
  return "UTC";
}

// How long the oldest record not yet in PostgreSQL has waited, by the
// daemon's clock (its received_at); 0 when the call log is caught up.
double ProjectorLagSeconds(const EventLog& log, std::uint64_t checkpoint) {
  if (log.Head().seq.value <= checkpoint) return 0;
  auto bytes = log.ReadEncoded(Seq{checkpoint + 1});
  if (!bytes.ok()) return 0;
  auto record = DecodeRecord(*bytes);
  if (!record.ok()) return 0;
  return std::max<double>(0, (NowUs() - record->received_at_us) / 1e6);
}

void RegisterDaemonMetrics(MetricsRegistry& m, const EventLog& log, const daemon::Ingest& ingest,
                           const daemon::ProjectionLoop& projection) {
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
             [&log, &pr] { return ProjectorLagSeconds(log, pr.checkpoint.load()); });
  m.SetCounterFunction("call_ledger_postgres_errors_total",
                       "Failed projection attempts (each is retried with backoff).",
                       [&pr] { return static_cast<double>(pr.store_errors.load()); });
  m.SetGauge("call_ledger_postgres_up", "1 if the projector's last PostgreSQL attempt succeeded.",
             [&pr] { return pr.store_up.load() ? 1.0 : 0.0; });
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
  // SIGINT/SIGTERM wait (blocked, pending) until the handler below is in
  // place, so a stop during start-up is as clean as any other. Threads
  // started meanwhile inherit the mask and never take them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto endpoint = config.ari.Endpoint();
  if (!endpoint.ok()) {
    spdlog::critical("configuration error: {}", endpoint.status().message());
    return kExitConfig;
  }
  for (const auto& w : config.warnings) spdlog::warn("configuration: {}", w);

  MetricsRegistry metrics;
  store::RocksOptions ledger_options;
  ledger_options.sync_latency = &metrics.GetHistogram(
      "call_ledger_fsync_seconds", "Time of one ledger WAL fsync (group commit).");
  ledger_options.node = config.ledger.node;
  ledger_options.sync_interval_ms = static_cast<int>(config.ledger.sync_interval_ms.count());
  auto ledger = store::RocksEventLog::Open(config.ledger.dir, ledger_options);
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

  const std::string dsn = config.database.url.Reveal();
  // The HTTP server goes first so the projection can publish to it; it
  // starts serving below, once everything it reports on exists.
  server::HttpServerOptions http_options;
  {
    auto listen = daemon::ParseHostPort(config.http.listen);
    http_options.host = listen->host;  // validated by LoadConfig
    http_options.port = listen->port;
  }
  http_options.bearer_token = config.http.bearer_token.Reveal();
  http_options.allow_loopback_without_token = config.http.allow_loopback_without_token;
  http_options.node = log.Info().node;
  http_options.db_workers = config.http.db_workers;
  http_options.api.zone =
      config.http.pbx_timezone.empty() ? HostTimeZone() : config.http.pbx_timezone;
  http_options.api.service_level_seconds = static_cast<int>(config.http.service_level_seconds);
  http_options.limits.max_connections = config.http.max_connections;
  http_options.limits.max_header_bytes = static_cast<std::uint32_t>(config.http.max_header_bytes);
  http_options.limits.request_timeout = config.http.request_timeout_ms;
  http_options.limits.idle_timeout = config.http.idle_timeout_ms;
  http_options.limits.write_timeout = config.http.write_timeout_ms;
  http_options.limits.max_live_clients = config.http.max_live_clients;
  http_options.limits.live_queue_messages = config.http.live_queue_messages;
  http_options.health_max_lag_seconds = config.http.health_max_lag_ms.count() / 1000.0;
  // Filled in below; read by the health report only while serving.
  daemon::Ingest* ingest_ptr = nullptr;
  daemon::ProjectionLoop* projection_ptr = nullptr;
  server::HttpServerDeps http_deps;
  http_deps.make_reader = [dsn]() -> std::unique_ptr<CallLogReader> {
    pg::PgReaderOptions o;
    o.application_name = "call-ledgerd-http";
    return std::make_unique<pg::PgCallLogReader>(dsn, o);
  };
  http_deps.ledger = &log;
  http_deps.metrics = &metrics;
  http_deps.health = [&log, &ingest_ptr, &projection_ptr]() {
    server::HealthReport r;
    r.ari_connected = ingest_ptr->stats().connected.load();
    r.ledger_writable = ingest_ptr->stats().last_append_ok.load();
    r.postgres_reachable = projection_ptr->stats().store_up.load();
    r.ledger_head = log.Head().seq.value;
    r.projected_seq = projection_ptr->stats().checkpoint.load();
    r.projector_lag_seconds = ProjectorLagSeconds(log, r.projected_seq);
    return r;
  };
  server::HttpServer http(http_options, http_deps);

  daemon::ProjectionLoopOptions loop_options;
  loop_options.batch_records = config.database.batch_records;
  loop_options.on_committed = [&http](Seq checkpoint, const std::vector<RowChange>& changes) {
    http.Publish(checkpoint, changes);
  };
  daemon::ProjectionLoop projection(
      log,
      [dsn]() -> Result<std::unique_ptr<CallLogStore>> {
        pg::PgOptions pg_options;
        pg_options.application_name = "call-ledgerd";
        auto store = pg::PgCallLogStore::Open(dsn, pg_options);
        if (!store.ok()) return store.status();
        return std::unique_ptr<CallLogStore>(std::move(store.value()));
      },
      loop_options);
  spdlog::info("projecting into PostgreSQL {}", daemon::RedactConnectionString(dsn));

  daemon::IngestOptions ingest_options;
  ingest_options.queue_frames = config.ledger.queue_frames;
  ingest_options.limits.max_frame_bytes = config.ledger.max_frame_bytes;
  ingest_options.metrics = &metrics;
  daemon::Ingest ingest(log, ingest_options);
  ingest_ptr = &ingest;
  projection_ptr = &projection;
  RegisterDaemonMetrics(metrics, log, ingest, projection);
  ingest.SetOnAppended([&projection](Seq) { projection.Notify(); });
  ingest.Start();
  projection.Start();
  auto serving = http.Start();
  if (!serving.ok()) {
    spdlog::critical("cannot serve HTTP: {}", serving.status().message());
    ingest.Stop();
    projection.Stop();
    return kExitConfig;
  }
  spdlog::info(
      "http listening on {} (wallboard http://{}/ , API /api/calls, live feed /api/live, /metrics, "
      "/healthz; PBX zone {})",
      *serving, *serving, http_options.api.zone);

  boost::asio::io_context io;
  ari::AriClient client(io, ClientOptionsFrom(config, *endpoint), ingest);
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

  ingest.Stop();  // appends what was received, fsyncs
  projection.Stop();
  http.Stop();
  spdlog::info("stopped: ledger head seq {}, call log at seq {}, {} frames received, {} dropped",
               log.Head().seq.value, projection.stats().checkpoint.load(),
               ingest.stats().frames.load(), ingest.stats().dropped.load());
  return 0;
}
