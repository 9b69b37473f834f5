#include "server/http_listener.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>

#include "server/http_session.h"

namespace callledger::server {

HttpListener::HttpListener(net::io_context& io, ServerState& state)
    : state_(state), acceptor_(io) {}

Result<std::string> HttpListener::Listen() {
  const HttpServerOptions& options = state_.options();
  boost::system::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  if (ec) return InvalidInput("http listen address '" + options.host + "': " + ec.message());
  const tcp::endpoint endpoint(address, options.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return Unavailable("cannot listen on " + endpoint.address().to_string() + ":" +
                       std::to_string(endpoint.port()) + ": " + ec.message());
  const auto bound = acceptor_.local_endpoint();
  return bound.address().to_string() + ":" + std::to_string(bound.port());
}

void HttpListener::Start() { net::co_spawn(acceptor_.get_executor(), Accept(), net::detached); }

void HttpListener::Close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

awaitable<void> HttpListener::Accept() {
  while (true) {
    auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
      spdlog::warn("http accept failed: {}", ec.message());
      continue;
    }
    if (state_.connections() >= state_.limits().max_connections) {
      state_.CountRejectedConnection();
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    net::co_spawn(acceptor_.get_executor(), ServeHttpConnection(state_, std::move(socket)),
                  [](std::exception_ptr e) {
                    if (!e) return;
                    try {
                      std::rethrow_exception(e);
                    } catch (const std::exception& ex) {
                      spdlog::error("http connection ended by an exception: {}", ex.what());
                    }
                  });
  }
}

}  // namespace callledger::server
