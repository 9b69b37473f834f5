#include "daemon/wiring_options.h"

namespace callledger::daemon {

ari::ClientOptions AriClientOptions(const DaemonConfig& config, const AriEndpoint& endpoint) {
  ari::ClientOptions o;
  o.host = endpoint.host;
  o.port = std::to_string(endpoint.port);
  o.tls = endpoint.transport == Transport::kTls;
  o.verify_tls = config.ari.verify_tls;
  o.ca_file = config.ari.ca_file ? config.ari.ca_file->string() : std::string();
  o.events_target = endpoint.EventsPath() + "?" + config.ari.EventsQuery();
  const std::string rest = endpoint.RestPath("");
  o.rest_prefix = rest.ends_with("/") ? rest.substr(0, rest.size() - 1) : rest;
  const std::string key = config.ari.ApiKeyParam();
  o.rest_query = key.empty() ? std::string() : "?" + key;
  if (config.ari.auth == AriAuth::kBasic && !config.ari.user.empty()) {
    o.authorization = ari::BasicAuthorization(config.ari.user, config.ari.password.Reveal());
  }
  o.url_for_logs = RedactUrl(endpoint.EventsUrl() + "?" + config.ari.EventsQuery());
  o.reconnect_initial = config.ari.reconnect_initial_ms;
  o.reconnect_max = config.ari.reconnect_max_ms;
  o.ping_interval = config.ari.ping_interval_ms;
  return o;
}

store::RocksOptions LedgerOptions(const DaemonConfig& config, Histogram* sync_latency) {
  store::RocksOptions o;
  o.sync_latency = sync_latency;
  o.node = config.ledger.node;
  o.sync_interval_ms = static_cast<int>(config.ledger.sync_interval_ms.count());
  return o;
}

IngestOptions IngestOptionsFrom(const DaemonConfig& config, MetricsRegistry* metrics) {
  IngestOptions o;
  o.queue_frames = config.ledger.queue_frames;
  o.limits.max_frame_bytes = config.ledger.max_frame_bytes;
  o.metrics = metrics;
  return o;
}

std::optional<CelCollectorOptions> CelCollectorOptionsFrom(const DaemonConfig& config,
                                                           MetricsRegistry* metrics) {
  if (!config.cel.file.has_value()) return std::nullopt;
  CelCollectorOptions o;
  o.file = *config.cel.file;
  o.margin = config.cel.margin_ms;
  o.settle = config.cel.settle_ms;
  o.max_record_bytes = config.cel.max_record_bytes;
  o.metrics = metrics;
  return o;
}

ProjectionLoopOptions ProjectionLoopOptionsFrom(const DaemonConfig& config) {
  ProjectionLoopOptions o;
  o.batch_records = config.database.batch_records;
  return o;
}

Result<server::HttpServerOptions> HttpServerOptionsFrom(const DaemonConfig& config,
                                                        const std::string& node,
                                                        const std::string& zone) {
  auto listen = ParseHostPort(config.http.listen);
  if (!listen.ok()) return InvalidInput("http.listen: " + listen.status().message());
  server::HttpServerOptions o;
  o.host = listen->host;
  o.port = listen->port;
  o.bearer_token = config.http.bearer_token.Reveal();
  o.allow_loopback_without_token = config.http.allow_loopback_without_token;
  o.node = node;
  o.db_workers = config.http.db_workers;
  o.api.zone = zone;
  o.api.service_level_seconds = static_cast<int>(config.http.service_level_seconds);
  o.limits.max_connections = config.http.max_connections;
  o.limits.max_header_bytes = static_cast<std::uint32_t>(config.http.max_header_bytes);
  o.limits.request_timeout = config.http.request_timeout_ms;
  o.limits.idle_timeout = config.http.idle_timeout_ms;
  o.limits.write_timeout = config.http.write_timeout_ms;
  o.limits.max_live_clients = config.http.max_live_clients;
  o.limits.live_queue_messages = config.http.live_queue_messages;
  o.health_max_lag_seconds = config.http.health_max_lag_ms.count() / 1000.0;
  return o;
}

}  // namespace callledger::daemon
