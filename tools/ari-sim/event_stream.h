// The /ari/events side of ari-sim's server (sim_server.h describes the
// whole): each accepted client's WebSocket session, and the pump, the only
// writer of events, which plays the Replay to the current subscriber with one
// write in flight. Subscribers, ApplicationReplaced and the drop points'
// closes are decided here; the listener and HTTP are sim_server.cc's.
//
// Threading: the server's one thread only. Lifetime: the io_context, the
// Replay and this object outlive every coroutine started here; ReleaseIo()
// before the io_context is destroyed.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ari-sim/replay.h"
#include "ari-sim/sim_connection.h"

namespace callledger::arisim {

class EventStream {
 public:
  // Waits `lead_in` after each subscription before its next frame (see
  // ServerOptions::lead_in).
  EventStream(net::io_context& io, Replay& replay, std::chrono::milliseconds lead_in);

  // An accepted /ari/events upgrade: handshake, subscribe, then read (and
  // discard) until the client goes away. Events are written by Pump().
  net::awaitable<void> Serve(std::shared_ptr<WsSession> session,
                             http::request<http::string_body> request, std::string peer);

  // The single writer of events: runs until the io_context stops.
  net::awaitable<void> Pump();

  // Lets go of the subscribers' sockets and the pump's timer: their I/O
  // objects must go before the io_context does.
  void ReleaseIo();

 private:
  // The WebSocket handshake of a session; false when it failed.
  template <class Ws>
  net::awaitable<bool> Accept(Ws& ws, const http::request<http::string_body>& request,
                              const std::string& peer);
  void Subscribe(const std::shared_ptr<WsSession>& session);
  void Unsubscribe(const std::shared_ptr<WsSession>& session);
  void Wake();
  net::awaitable<void> SleepUntil(Clock::time_point when);
  // The connection's last message (if any) and a normal close, once.
  void StartGoodbye(const std::shared_ptr<WsSession>& session, std::string last_message);
  net::awaitable<void> Goodbye(std::shared_ptr<WsSession> session, std::string last_message);

  net::io_context& io_;
  Replay& replay_;
  std::chrono::milliseconds lead_in_;
  std::optional<net::steady_timer> wake_;
  std::optional<std::string> stream_app_;
  std::shared_ptr<WsSession> sub_;                    // the current subscriber
  std::vector<std::shared_ptr<WsSession>> replaced_;  // to be told and closed
};

}  // namespace callledger::arisim
