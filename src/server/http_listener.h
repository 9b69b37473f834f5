// HttpListener: the server's listening socket and its accept loop (the
// "listener" of Beast's chat-multi example). Each accepted connection gets
// a coroutine of its own (http_session.h) on the server's io_context; a
// connection beyond HttpLimits::max_connections is closed at once and
// counted (call_ledger_http_rejected_connections_total).
//
// Threads: Listen() on the thread that starts the server, before the
// io_context runs; the accept loop and Close() on the server's thread.
#pragma once

#include <string>

#include "core/status.h"
#include "server/asio_names.h"
#include "server/server_state.h"

namespace callledger::server {

class HttpListener {
 public:
  HttpListener(net::io_context& io, ServerState& state);

  // Binds options().host:port and listens; returns the address actually
  // bound ("127.0.0.1:40123"). kInvalidInput for a host that is not an IP
  // address, kUnavailable if it cannot be bound.
  Result<std::string> Listen();
  // Starts the accept loop (it runs once the io_context does).
  void Start();
  // Stops accepting: the loop ends.
  void Close();

 private:
  awaitable<void> Accept();

  ServerState& state_;
  tcp::acceptor acceptor_;
};

}  // namespace callledger::server
