// The daemon's configuration mapped onto each part's options
// (daemon/wiring_options.h): every setting lands where the part reads it,
// and no secret reaches a string meant for logs.
#include "daemon/wiring_options.h"

#include <catch2/catch.hpp>

#include "cel/cel_window.h"
#include "cel/window_range.h"

namespace callledger::daemon {
namespace {

TEST_CASE("ARI client: basic auth, TLS and a path prefix, timings from the config") {
  DaemonConfig config;
  config.ari.base_url = "https://pbx.example:8089/pbx1";
  config.ari.user = "backend";
  config.ari.password = Secret("CallCenter2025");
  config.ari.verify_tls = false;
  config.ari.ca_file = "/etc/call-ledger/ca.pem";
  config.ari.reconnect_initial_ms = std::chrono::milliseconds(700);
  config.ari.reconnect_max_ms = std::chrono::milliseconds(9000);
  config.ari.ping_interval_ms = std::chrono::milliseconds(3000);
  const auto endpoint = config.ari.Endpoint();
  REQUIRE(endpoint.ok());

  const ari::ClientOptions o = AriClientOptions(config, *endpoint);
  CHECK(o.host == "pbx.example");
  CHECK(o.port == "8089");
  CHECK(o.tls);
  CHECK_FALSE(o.verify_tls);
  CHECK(o.ca_file == "/etc/call-ledger/ca.pem");
  CHECK(o.events_target == "/pbx1/ari/events?app=call-ledger&subscribeAll=true");
  CHECK(o.rest_prefix == "/pbx1/ari");
  CHECK(o.rest_query.empty());
  CHECK(o.authorization == ari::BasicAuthorization("backend", "CallCenter2025"));
  CHECK(o.url_for_logs ==
        "wss://pbx.example:8089/pbx1/ari/events?app=call-ledger&subscribeAll=true");
  CHECK(o.reconnect_initial == std::chrono::milliseconds(700));
  CHECK(o.reconnect_max == std::chrono::milliseconds(9000));
  CHECK(o.ping_interval == std::chrono::milliseconds(3000));
}

TEST_CASE("ARI client: plain defaults, and no Authorization header without a user") {
  DaemonConfig config;
  const auto endpoint = config.ari.Endpoint();
  REQUIRE(endpoint.ok());
  const ari::ClientOptions o = AriClientOptions(config, *endpoint);
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == "8088");
  CHECK_FALSE(o.tls);
  CHECK(o.verify_tls);
  CHECK(o.ca_file.empty());
  CHECK(o.rest_prefix == "/ari");
  CHECK(o.authorization.empty());
  CHECK(o.url_for_logs == "ws://127.0.0.1:8088/ari/events?app=call-ledger&subscribeAll=true");
}

TEST_CASE("ARI client: api_key mode puts the key in every query and nowhere in logs") {
  DaemonConfig config;
  config.ari.user = "backend";
  config.ari.password = Secret("CallCenter2025");
  config.ari.auth = AriAuth::kApiKeyQuery;
  config.ari.subscribe_all = false;
  config.ari.app = "call-center";
  const auto endpoint = config.ari.Endpoint();
  REQUIRE(endpoint.ok());

  const ari::ClientOptions o = AriClientOptions(config, *endpoint);
  CHECK(o.authorization.empty());
  CHECK(o.rest_query == "?api_key=backend:CallCenter2025");
  CHECK(o.events_target ==
        "/ari/events?app=call-center&subscribeAll=false&api_key=backend:CallCenter2025");
  CHECK_THAT(o.url_for_logs, Catch::Contains("api_key=***"));
  CHECK_THAT(o.url_for_logs, !Catch::Contains("CallCenter2025"));
}

TEST_CASE("ledger, ingest and projection options come from their sections") {
  DaemonConfig config;
  config.ledger.node = "pbx-7";
  config.ledger.sync_interval_ms = std::chrono::milliseconds(12);
  config.ledger.queue_frames = 4096;
  config.ledger.max_frame_bytes = 65536;
  config.database.batch_records = 250;
  MetricsRegistry metrics;
  Histogram& fsync = metrics.GetHistogram("fsync_seconds", "test");

  const store::RocksOptions ledger = LedgerOptions(config, &fsync);
  CHECK(ledger.node == "pbx-7");
  CHECK(ledger.sync_interval_ms == 12);
  CHECK(ledger.sync_latency == &fsync);
  CHECK(ledger.mode == store::OpenMode::kReadWrite);
  CHECK(ledger.create_if_missing);

  const IngestOptions ingest = IngestOptionsFrom(config, &metrics);
  CHECK(ingest.queue_frames == 4096);
  CHECK(ingest.limits.max_frame_bytes == 65536);
  CHECK(ingest.metrics == &metrics);

  CHECK(ProjectionLoopOptionsFrom(config).batch_records == 250);
}

TEST_CASE("CEL collector options: none while cel.file is unset, else from [cel]") {
  DaemonConfig config;
  MetricsRegistry metrics;
  CHECK_FALSE(CelCollectorOptionsFrom(config, &metrics).has_value());
  config.cel.file = "/var/log/asterisk/cel-custom/cel.jsonl";
  config.cel.margin_ms = std::chrono::milliseconds(7000);
  config.cel.settle_ms = std::chrono::milliseconds(300);
  config.cel.max_record_bytes = 200000;
  const auto cel = CelCollectorOptionsFrom(config, &metrics);
  REQUIRE(cel.has_value());
  CHECK(cel->file == std::filesystem::path("/var/log/asterisk/cel-custom/cel.jsonl"));
  CHECK(cel->margin.count() == 7000);
  CHECK(cel->settle.count() == 300);
  CHECK(cel->max_record_bytes == 200000);
  CHECK(cel->metrics == &metrics);
}

// `ledger-replay fixture --cel` reads a cut's window with cel/window_range.h's
// defaults: they must be the daemon's, or a simulated run would differ from
// a real one.
TEST_CASE("CEL defaults: the configuration's are the ones a simulated cut uses") {
  const DaemonConfig config;
  CHECK(config.cel.margin_ms == cel::kDefaultMargin);
  CHECK(config.cel.settle_ms == cel::kDefaultSettle);
  CHECK(config.cel.max_record_bytes == cel::CelWindowOptions{}.max_record_bytes);
  const CelCollectorOptions collector;
  CHECK(collector.margin == cel::kDefaultMargin);
  CHECK(collector.settle == cel::kDefaultSettle);
  CHECK(collector.max_record_bytes == cel::CelWindowOptions{}.max_record_bytes);
}

TEST_CASE("HTTP server options: address, token, limits, workers, node and zone") {
  DaemonConfig config;
  config.http.listen = "[::1]:9100";
  config.http.bearer_token = Secret("token-0123456789abcdef0123");
  config.http.allow_loopback_without_token = false;
  config.http.service_level_seconds = 15;
  config.http.max_connections = 11;
  config.http.max_header_bytes = 4096;
  config.http.request_timeout_ms = std::chrono::milliseconds(1100);
  config.http.idle_timeout_ms = std::chrono::milliseconds(2200);
  config.http.write_timeout_ms = std::chrono::milliseconds(3300);
  config.http.max_live_clients = 7;
  config.http.live_queue_messages = 64;
  config.http.db_workers = 3;
  config.http.health_max_lag_ms = std::chrono::milliseconds(2500);

  const auto o = HttpServerOptionsFrom(config, "pbx-7", "Asia/Tashkent");
  REQUIRE(o.ok());
  CHECK(o->host == "::1");
  CHECK(o->port == 9100);
  CHECK(o->bearer_token == "token-0123456789abcdef0123");
  CHECK_FALSE(o->allow_loopback_without_token);
  CHECK(o->node == "pbx-7");
  CHECK(o->db_workers == 3);
  CHECK(o->api.zone == "Asia/Tashkent");
  CHECK(o->api.service_level_seconds == 15);
  CHECK(o->limits.max_connections == 11);
  CHECK(o->limits.max_header_bytes == 4096);
  CHECK(o->limits.request_timeout == std::chrono::milliseconds(1100));
  CHECK(o->limits.idle_timeout == std::chrono::milliseconds(2200));
  CHECK(o->limits.write_timeout == std::chrono::milliseconds(3300));
  CHECK(o->limits.max_live_clients == 7);
  CHECK(o->limits.live_queue_messages == 64);
  CHECK(o->health_max_lag_seconds == 2.5);
  // Not configurable: the API takes no bodies.
  CHECK(o->limits.max_body_bytes == server::HttpLimits{}.max_body_bytes);
}

TEST_CASE("HTTP server options: a listen address that is not HOST:PORT is refused") {
  DaemonConfig config;
  config.http.listen = "no-port-here";
  const auto o = HttpServerOptionsFrom(config, "pbx-7", "UTC");
  REQUIRE_FALSE(o.ok());
  CHECK(o.status().code() == Code::kInvalidInput);
  CHECK_THAT(o.status().message(), Catch::Contains("http.listen"));
}

}  // namespace
}  // namespace callledger::daemon
