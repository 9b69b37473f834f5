// HttpServer: the daemon's HTTP API, live feed, metrics, health and
// wallboard (DESIGN 6) on Boost.Beast. A thin shell: requests go to the
// request -> response functions of routes.h, health.h and assets.h.
//
// Threads: the server runs its own io_context on one thread (never the
// ARI reader's), so connections need no locks; database reads run on a
// small worker pool, each worker borrowing a CallLogReader of its own, so
// a slow query never stalls other connections. Publish() may be called from
// any thread.
//
// Limits (HttpLimits, all named and configurable): connections at once,
// request header and body size (431 / 413), the time to read a request and
// to wait for the next one on a kept-alive connection, the time a write may
// take, live clients at once, and the live feed's per-client queue. A live
// client whose queue is full is too slow: it is disconnected and counted
// (metric call_ledger_live_slow_disconnects_total), never allowed to grow
// memory.
//
// Auth: with `bearer_token` set, a client must send "Authorization: Bearer
// <token>" (or `access_token=<token>` in the query, for browsers' WebSocket)
// unless it is on loopback and `allow_loopback_without_token` is set.
// Without a token only loopback clients are served (403 otherwise). The
// wallboard's static files are the exception: they hold no data, and a wall
// screen loads them before its script sends the token.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/call_log_reader.h"
#include "core/event_log.h"
#include "core/metrics.h"
#include "core/status.h"
#include "server/health.h"
#include "server/routes.h"

namespace callledger::server {

struct HttpLimits {
  std::size_t max_connections = 512;
  std::uint32_t max_header_bytes = 16 * 1024;
  std::uint64_t max_body_bytes = 16 * 1024;           // the API takes no bodies
  std::chrono::milliseconds request_timeout{10'000};  // one request, first byte to last
  std::chrono::milliseconds idle_timeout{60'000};     // kept-alive, between requests
  std::chrono::milliseconds write_timeout{30'000};    // one response (or one CSV chunk)
  std::size_t max_live_clients = 256;
  std::size_t live_queue_messages = 256;  // per client; more = a slow client
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8095;  // 0 = any free port
  HttpLimits limits;
  std::string bearer_token;  // "" = none
  bool allow_loopback_without_token = true;
  std::size_t db_workers = 4;
  std::string node;  // the live feed's node
  ApiSettings api;
  double health_max_lag_seconds = 30;
};

struct HttpServerDeps {
  // Makes one reader per worker (called lazily, on the worker).
  std::function<std::unique_ptr<CallLogReader>()> make_reader;
  const EventLog* ledger = nullptr;      // for /api/calls/{id}/events
  MetricsRegistry* metrics = nullptr;    // required
  std::function<HealthReport()> health;  // required
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpServerDeps deps);
  ~HttpServer();  // Stop()s

  // Binds and starts serving on the server's own thread; returns the
  // address actually bound ("127.0.0.1:40123"). kUnavailable if the port
  // cannot be bound.
  Result<std::string> Start();
  // Closes the listener and every connection; joins the threads.
  void Stop();

  // A committed batch for the live feed. Serialized once, on the caller's
  // thread; queued to every live client. Never blocks.
  void Publish(Seq checkpoint, const std::vector<RowChange>& changes);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callledger::server
