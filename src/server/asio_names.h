// The Boost.Asio and Boost.Beast names the HTTP server's internal files
// (http_listener, http_session, http_response, live_session, server_state,
// worker_pool) share, so that each spells them the same way. Internal to
// ledger_http; nothing outside src/server includes it.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace callledger::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using net::awaitable;

// The completion token of every asynchronous call in the server: errors
// come back in a tuple with the result instead of as exceptions, because a
// client going away is an ordinary event here, not a failure.
inline constexpr auto kTuple = net::as_tuple(net::use_awaitable);

using Request = http::request<http::string_body>;

}  // namespace callledger::server
