#include "support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace callledger::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

tcp::endpoint Endpoint(const std::string& address) {
  const auto colon = address.rfind(':');
  return {net::ip::make_address(address.substr(0, colon)),
          static_cast<unsigned short>(std::stoi(address.substr(colon + 1)))};
}

// Runs `io` until `done` or the deadline; then cancels what is pending.
void RunFor(net::io_context& io, beast::tcp_stream& stream, std::chrono::milliseconds timeout) {
  io.restart();
  io.run_for(timeout);
  if (!io.stopped()) {
    stream.cancel();
    io.restart();
    io.run_for(std::chrono::seconds(1));
  }
}

HttpReply ReadReply(net::io_context& io, beast::tcp_stream& stream,
                    std::chrono::milliseconds timeout) {
  HttpReply reply;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 32);
  beast::error_code ec;
  bool done = false;
  http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  RunFor(io, stream, timeout);
  if (!done) {
    reply.error = "timed out";
    return reply;
  }
  if (parser.is_header_done()) {
    const auto& res = parser.get();
    reply.status = res.result_int();
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = std::string(field.value());
    }
    reply.body = res.body();
  }
  reply.complete = !ec && parser.is_done();
  if (ec) reply.error = ec.message();
  return reply;
}

}  // namespace

HttpReply HttpGet(const std::string& address, const std::string& target,
                  const std::map<std::string, std::string>& headers,
                  std::chrono::milliseconds timeout) {
  std::string raw = "GET " + target + " HTTP/1.1\r\nHost: " + address + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
  return HttpRaw(address, raw + "\r\n", timeout);
}

HttpReply HttpRaw(const std::string& address, const std::string& raw,
                  std::chrono::milliseconds timeout) {
  net::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.socket().connect(Endpoint(address), ec);
  if (ec) return {0, {}, {}, false, "connect: " + ec.message()};
  net::write(stream.socket(), net::buffer(raw), ec);
  if (ec) return {0, {}, {}, false, "write: " + ec.message()};
  return ReadReply(io, stream, timeout);
}

struct WsClient::Impl {
  net::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
};

WsClient::WsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WsClient::~WsClient() {
  beast::error_code ignored;
  beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

std::unique_ptr<WsClient> WsClient::Connect(const std::string& address, const std::string& target,
                                            std::string* error) {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  beast::get_lowest_layer(impl->ws).socket().connect(Endpoint(address), ec);
  if (!ec) impl->ws.handshake(address, target, ec);
  if (ec) {
    if (error) *error = ec.message();
    return nullptr;
  }
  return std::unique_ptr<WsClient>(new WsClient(std::move(impl)));
}

std::optional<std::string> WsClient::Read(std::chrono::milliseconds timeout) {
  beast::error_code ec;
  bool done = false;
  impl_->buffer.clear();
  impl_->ws.async_read(impl_->buffer, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  RunFor(impl_->io, beast::get_lowest_layer(impl_->ws), timeout);
  if (!done || ec) return std::nullopt;
  return beast::buffers_to_string(impl_->buffer.data());
}

bool WsClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    beast::error_code ec;
    bool done = false;
    impl_->buffer.clear();
    impl_->ws.async_read(impl_->buffer, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    RunFor(impl_->io, beast::get_lowest_layer(impl_->ws),
           std::max(left, std::chrono::milliseconds(1)));
    if (done && ec) return ec != net::error::operation_aborted && ec != beast::error::timeout;
  }
  return false;
}

}  // namespace callledger::testing
