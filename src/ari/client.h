// AriClient: the daemon's connection to Asterisk: the ARI events WebSocket
// and the REST calls around it (GET /ari/asterisk/info, /ari/channels,
// /ari/bridges). Read-only: it never sends a command that changes a call.
//
// Run() is a coroutine on the caller's io_context; it connects, hands every
// frame to the sink as received, and reconnects forever with exponential
// backoff, jitter and a cap until Stop(). Per connection:
//   1. GET /ari/asterisk/info (a 401 is one clear error line per attempt);
//   2. the WebSocket upgrade, then "Connected to Asterisk ARI WebSocket";
//      sink.OnConnected(info body) — the daemon records a gap here;
//   3. GET /ari/channels and /ari/bridges, concurrently with reading frames:
//      sink.OnSnapshot(channels, bridges) — the daemon records a reconcile;
//   4. frames, each to sink.OnFrame, until the socket closes.
// Receive first (DESIGN invariant 5): the sink's methods must not block;
// they run on the io_context thread between reads.
//
// An ApplicationReplaced frame (someone else took our app name) is logged
// loudly and makes the client back off at the cap, never fight in a loop.
// Secrets never appear in logs: URLs are printed without credentials.
//
// With ClientOptions::tls, REST and the WebSocket go over TLS (https://,
// wss://): SNI for a host name, and unless verify_tls is off the server's
// certificate is checked against ca_file (or the system's CA store) and must
// name the host. A failed TLS handshake (a certificate that does not check
// out) is one error line per attempt, with backoff, like a 401.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace callledger::ari {

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::string port = "8088";
  // https:// and wss:// instead of http:// and ws://.
  bool tls = false;
  // Check the server's certificate chain and that it names `host` (TLS only).
  bool verify_tls = true;
  // PEM file of the CAs to trust; empty: the system's default paths.
  std::string ca_file;
  // Path and query of the events WebSocket, e.g.
  // "/ari/events?app=call-ledger&subscribeAll=true" (with &api_key=... only
  // in api_key mode).
  std::string events_target = "/ari/events?app=call-ledger&subscribeAll=true";
  // Path of the REST API: "/ari" (or "/prefix/ari" behind a proxy).
  std::string rest_prefix = "/ari";
  // Query suffix for REST calls in api_key mode ("?api_key=u:p"), else "".
  std::string rest_query;
  // Value of the Authorization header ("Basic ...") or "" in api_key mode.
  std::string authorization;
  std::chrono::milliseconds reconnect_initial{500};
  std::chrono::milliseconds reconnect_max{30000};
  std::chrono::milliseconds connect_timeout{5000};
  // Idle time after which a ping is sent; no answer within it closes.
  std::chrono::milliseconds ping_interval{10000};
  std::size_t max_frame_bytes = 16u << 20;
  // The events URL as logs may show it, secrets already redacted by the
  // caller (the daemon's RedactUrl). Empty: scheme, host, port and path only.
  std::string url_for_logs;
};

class ClientSink {
 public:
  virtual ~ClientSink() = default;
  virtual void OnConnected(const std::string& asterisk_info) = 0;
  virtual void OnSnapshot(std::string channels_json, std::string bridges_json) = 0;
  virtual void OnFrame(std::string frame) = 0;
  virtual void OnDisconnected(const std::string& reason) = 0;
};

struct ClientStats {
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> frames{0};
  std::atomic<bool> connected{false};
};

class AriClient {
 public:
  AriClient(boost::asio::io_context& io, ClientOptions options, ClientSink& sink);
  ~AriClient();

  // The reconnect loop; co_spawn it on the io_context.
  boost::asio::awaitable<void> Run();
  // Closes the socket and ends Run() (thread-safe).
  void Stop();

  const ClientStats& stats() const { return stats_; }
  // ClientOptions::url_for_logs, or the events URL without its query.
  std::string EventsUrlForLogs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ClientStats stats_;
};

// "Basic base64(user:password)".
std::string BasicAuthorization(const std::string& user, const std::string& password);

}  // namespace callledger::ari
