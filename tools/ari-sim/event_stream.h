// The /ari/events side of ari-sim's server (sim_server.h describes the
// whole): each accepted client's WebSocket session, and the pump, the only
// writer of events, which plays the Replay to the current subscriber with one
// write in flight, skips the frames realtime does not send, and appends the
// CEL lines, each step when the StreamClock (stream_clock.h) says.
// Subscribers, ApplicationReplaced and the drop points' closes are decided
// here; the listener and HTTP are sim_server.cc's.
//
// Threading: the server's one thread only. Lifetime: the io_context, the
// Replay, the CelPlayback and this object outlive every coroutine started
// here; ReleaseIo() before the io_context is destroyed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ari-sim/cel_writer.h"
#include "ari-sim/replay.h"
#include "ari-sim/sim_connection.h"
#include "ari-sim/stream_clock.h"

namespace callledger::arisim {

class EventStream {
 public:
  // Waits `lead_in` after each subscription before its next frame (see
  // ServerOptions::lead_in and stream_clock.h). With `restamp`, moves the
  // frames' and CEL lines' times to the present when the clock starts
  // (restamp.h), naming the captures by `capture_names` in the log. A
  // non-empty `stream_out` is written then (ServerOptions::stream_out).
  // `cel` may be null (no CEL output).
  EventStream(net::io_context& io, Replay& replay, std::chrono::milliseconds lead_in, bool restamp,
              std::vector<std::string> capture_names, std::string stream_out, CelPlayback* cel);

  // Realtime, after a drop: why a subscription at `now` is refused (the PBX
  // is away until the drop's gap has happened, stream_clock.h AwayUntil);
  // nullopt when it is not.
  std::optional<std::string> Away(Clock::time_point now) const;

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
  // --restamp, when the clock has just started.
  void Restamp();
  // --stream-out, when the clock has just started (after Restamp).
  void WriteStreamOut();
  void Unsubscribe(const std::shared_ptr<WsSession>& session);
  void Wake();
  net::awaitable<void> SleepUntil(Clock::time_point when);
  StreamCues Cues() const;
  // The pump's steps other than waiting.
  net::awaitable<void> SendNext();
  void SkipNext();
  void AppendCel();
  // Says which frames went unsent since the last time it was said.
  void LogSkipped();
  void LogEnds();
  // The connection's last message (if any) and a normal close, once.
  void StartGoodbye(const std::shared_ptr<WsSession>& session, std::string last_message);
  net::awaitable<void> Goodbye(std::shared_ptr<WsSession> session, std::string last_message);

  net::io_context& io_;
  Replay& replay_;
  CelPlayback* cel_;
  std::chrono::milliseconds lead_in_;
  bool restamp_;
  std::vector<std::string> capture_names_;
  std::string stream_out_;
  StreamClock clock_;
  // Realtime: the last drop, and until when the PBX is away after it.
  std::uint64_t away_after_frame_ = 0;
  std::optional<Clock::time_point> away_until_;
  std::optional<net::steady_timer> wake_;
  // Realtime: frames skipped since LogSkipped last spoke (first, last).
  std::uint64_t skipped_first_ = 0;
  std::uint64_t skipped_last_ = 0;
  bool stream_end_logged_ = false;
  bool cel_end_logged_ = false;
  std::optional<std::string> stream_app_;
  std::shared_ptr<WsSession> sub_;                    // the current subscriber
  std::vector<std::shared_ptr<WsSession>> replaced_;  // to be told and closed
};

}  // namespace callledger::arisim
