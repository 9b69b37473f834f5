// An HTTP connection, from its first byte to its close (the "http_session"
// of Beast's chat-multi example): reads requests one at a time (kept alive
// while the client asks for it), authorizes each, routes it, writes the
// response, and counts it by route and status.
//
// Routes: /metrics and /healthz on the server's thread; /api/... through
// HandleApiRequest on a database worker (the CSV export streamed a page at a
// time); the wallboard's files (with ETag and 304); WebSocket /api/live is
// handed over to LiveSession, which then owns the socket.
//
// Limits (HttpLimits): the header and body size (431 / 413, then close),
// `request_timeout` for the first request, `idle_timeout` between kept-alive
// ones, `write_timeout` per response. A request Beast cannot parse gets 400
// and a close; GET and HEAD only (405). Auth: see http_server.h; the
// wallboard's files are served without a token.
//
// Threads: runs on the server's thread; registered in ServerState while it
// owns its socket, so that Stop() can close it.
#pragma once

#include "server/asio_names.h"
#include "server/server_state.h"

namespace callledger::server {

awaitable<void> ServeHttpConnection(ServerState& state, tcp::socket socket);

}  // namespace callledger::server
