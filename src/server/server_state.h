// ServerState: what the connections of one HttpServer share (the "shared
// state" of Beast's chat-multi example): the options and dependencies, the
// worker pool for database reads, the registry of open HTTP connections and
// live feed clients (so that Stop() can close them and a published batch can
// reach every client), and the server's own metrics.
//
// Threads: the registries are touched on the server's thread only, so they
// need no locks. connections(), live_clients() and stopping() are atomics,
// read from any thread (metric gauges, HttpServer::Publish, Stop); the
// metric counters are thread-safe themselves.
//
// Lifetime: owned by HttpServer's Impl, declared before its io_context so
// that it outlives every coroutine frame that refers to it. The gauges it
// registers refer to it too: the MetricsRegistry must not be rendered after
// the server is destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "core/metrics.h"
#include "server/asio_names.h"
#include "server/http_server.h"
#include "server/worker_pool.h"

namespace callledger::server {

class LiveSession;

class ServerState {
 public:
  // Registers the server's metrics in deps.metrics (required).
  ServerState(HttpServerOptions options, HttpServerDeps deps);
  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;

  const HttpServerOptions& options() const { return options_; }
  const HttpLimits& limits() const { return options_.limits; }
  const HttpServerDeps& deps() const { return deps_; }
  WorkerPool& workers() { return workers_; }

  // Set once Stop() began: connections finish what they are doing and end.
  bool stopping() const { return stopping_.load(); }
  // Sets stopping(); returns whether it was set already.
  bool BeginStop() { return stopping_.exchange(true); }

  // Open HTTP connections, not yet handed over to the live feed.
  std::size_t connections() const { return connections_.load(); }
  void AddConnection(beast::tcp_stream& stream);
  void RemoveConnection(beast::tcp_stream& stream);

  // Live feed clients, from their handshake to their end.
  std::size_t live_clients() const { return live_count_.load(); }
  bool LiveFull() const { return live_.size() >= options_.limits.max_live_clients; }
  void AddLive(const std::shared_ptr<LiveSession>& session);
  void RemoveLive(const std::shared_ptr<LiveSession>& session);
  // The fan-out of one committed batch: queued to every live client (a
  // client too slow for it is cut off by its own queue).
  void Broadcast(Seq checkpoint, const std::shared_ptr<const std::string>& message);

  // Closes every HTTP connection's socket and every live client, for Stop().
  void CloseAll();

  // Metrics. `start`, when given, also times the request by route.
  void CountRequest(const std::string& route, int status,
                    std::optional<std::chrono::steady_clock::time_point> start = std::nullopt);
  void CountRejectedConnection() { rejected_->Add(); }
  void CountSlowClient() { slow_->Add(); }
  void CountLiveMessage() { pushed_->Add(); }

 private:
  HttpServerOptions options_;
  HttpServerDeps deps_;
  WorkerPool workers_;
  Counter* rejected_ = nullptr;
  Counter* slow_ = nullptr;
  Counter* pushed_ = nullptr;
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> live_count_{0};
  std::atomic<bool> stopping_{false};
  // The server thread's: no locks.
  std::set<beast::tcp_stream*> open_;
  std::set<std::shared_ptr<LiveSession>> live_;
};

}  // namespace callledger::server
