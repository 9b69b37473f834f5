// LiveSession: one client of the live feed (WebSocket /api/live, DESIGN 6),
// from the upgrade to the close; the "websocket_session" of Beast's
// chat-multi example.
//
// What the client gets (server/live_feed.h has the messages): first a
// snapshot of the unfinished calls, read on a database worker; then every
// committed batch published after the snapshot's checkpoint, in order.
// Batches the snapshot already holds are skipped. Clients have nothing to
// say: what they send is read and dropped, which keeps pings and the close
// handshake working.
//
// Flow: Enqueue() (from ServerState::Broadcast) only appends to a bounded
// queue and wakes the writer; one coroutine writes the queue, one message at
// a time, so there is one write in flight. A client whose queue holds
// `live_queue_messages` when the next one comes is too slow: it is closed and
// counted (call_ledger_live_slow_disconnects_total), never allowed to grow
// memory. Timeouts: the handshake gets `request_timeout`; a client that
// answers no ping for `idle_timeout` is dropped (pings at half of it).
//
// Threads: the server's thread only. Lifetime: shared by the registry in
// ServerState, the writer and the reader; it ends when all three let go.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "core/record.h"
#include "server/asio_names.h"

namespace callledger::server {

class ServerState;

class LiveSession : public std::enable_shared_from_this<LiveSession> {
 public:
  // Serves an upgrade request for /api/live to its end. 503 instead when
  // `max_live_clients` are connected; nothing more on a failed handshake.
  static awaitable<void> Serve(ServerState& state, beast::tcp_stream stream, Request req);

  // Use Serve(); public for make_shared.
  LiveSession(ServerState& state, beast::tcp_stream stream);

  // Queues the message of the batch committed at `seq`, or cuts the client
  // off if its queue is full.
  void Enqueue(Seq seq, const std::shared_ptr<const std::string>& message);
  // Closes the socket, drops the queue and wakes the writer to end.
  void Close();

 private:
  awaitable<void> Run(Request req);
  // Writes the queue, skipping batches up to `after` (the snapshot's), until
  // the client is closed or the server stops.
  awaitable<void> WriteQueue(Seq after);
  static awaitable<void> ReadUntilClosed(std::shared_ptr<LiveSession> self);

  ServerState& state_;
  beast::websocket::stream<beast::tcp_stream> ws_;
  // Used as an event: "the queue is not empty" or "the client is gone".
  net::steady_timer wake_;
  std::deque<std::pair<Seq, std::shared_ptr<const std::string>>> queue_;
  bool closed_ = false;
};

}  // namespace callledger::server
