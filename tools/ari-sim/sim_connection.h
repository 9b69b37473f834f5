// What ari-sim's two Beast translation units share: sim_server.cc (the
// listener and the HTTP connections) and event_stream.cc (the /ari/events
// clients and the single writer of events). Beast is slow to compile:
// include this from those two files only.
//
// Everything here runs on the server's one thread (sim_server.h).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace callledger::arisim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Bounds the TLS handshake, the WebSocket upgrade and the close handshake.
inline constexpr auto kWsHandshakeTimeout = std::chrono::seconds(10);
inline constexpr std::string_view kServerName = "ari-sim (call-ledger)";

inline constexpr auto kAwaitable = net::as_tuple(net::use_awaitable);

// One line on stderr, "ari-sim: TEXT".
void Log(const std::string& text);

// Logs what escapes a coroutine (only allocation failures can: every I/O
// error is a value here) instead of losing it. For co_spawn.
void LogException(std::exception_ptr error);

// One /ari/events client, over plain TCP or TLS.
struct WsSession {
  WsSession(beast::tcp_stream stream, std::string app_name, std::string peer_name,
            std::uint64_t session_id)
      : plain(std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(stream))),
        app(std::move(app_name)),
        peer(std::move(peer_name)),
        id(session_id) {}
  WsSession(TlsStream stream, std::string app_name, std::string peer_name, std::uint64_t session_id)
      : tls(std::make_unique<websocket::stream<TlsStream>>(std::move(stream))),
        app(std::move(app_name)),
        peer(std::move(peer_name)),
        id(session_id) {}

  // Calls `f` with the WebSocket stream, whichever it is; `f` must return
  // the same type for both (an awaitable of the same operation).
  template <class F>
  auto With(F&& f) {
    return plain ? f(*plain) : f(*tls);
  }

  std::unique_ptr<websocket::stream<beast::tcp_stream>> plain;  // one of these two
  std::unique_ptr<websocket::stream<TlsStream>> tls;
  std::string app;
  std::string peer;
  std::uint64_t id;
  // Set when the connection's goodbye (last message and close) has been
  // started; it is started once.
  bool closing = false;
};

}  // namespace callledger::arisim
