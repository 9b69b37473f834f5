#include "serving_http.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <limits>

namespace callledger::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class ApiClient::Impl {
 public:
  explicit Impl(std::string host_header) : host_header_(std::move(host_header)) {}

  Status Open(const std::string& host, std::uint16_t port) {
    boost::system::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (!ec) stream_.connect(tcp::endpoint(address, port), ec);
    if (ec) return Unavailable("connect to " + host_header_ + ": " + ec.message());
    // Requests are small and latency is what is measured: no Nagle delay.
    stream_.socket().set_option(tcp::no_delay(true), ec);
    return Status::Ok();
  }

  Status Send(const std::string& target) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host_header_);
    req.keep_alive(true);
    boost::system::error_code ec;
    http::write(stream_, req, ec);
    if (ec) return Unavailable("write " + target + ": " + ec.message());
    return Status::Ok();
  }

  Result<Reply> Get(const std::string& target) {
    RETURN_IF_ERROR(Send(target));
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::system::error_code ec;
    http::read(stream_, buffer_, parser, ec);
    if (ec) return Unavailable("read " + target + ": " + ec.message());
    Reply r;
    r.status = static_cast<int>(parser.get().result_int());
    r.body = std::move(parser.get().body());
    return r;
  }

  Result<Streamed> GetCounting(const std::string& target, std::chrono::seconds limit) {
    // Beast's stream timeouts apply to asynchronous operations only; this
    // read is synchronous, so the body callback watches the clock.
    const auto deadline = std::chrono::steady_clock::now() + limit;
    RETURN_IF_ERROR(Send(target));
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    Streamed out;
    bool after_cr = false;  // a CRLF may straddle two pieces
    const auto count = [&](std::string_view piece) {
      out.bytes += piece.size();
      for (char c : piece) {
        if (c == '\n' && after_cr) ++out.lines;
        after_cr = c == '\r';
      }
    };
    // Chunked bodies (the CSV export) are consumed here, so the string body
    // stays empty; a body with a Content-Length lands in it and is counted
    // after the read.
    auto on_chunk = [&](std::uint64_t, beast::string_view body, boost::system::error_code& ec) {
      count(std::string_view(body.data(), body.size()));
      if (std::chrono::steady_clock::now() > deadline) ec = beast::error::timeout;
      return body.size();
    };
    parser.on_chunk_body(on_chunk);
    boost::system::error_code ec;
    http::read(stream_, buffer_, parser, ec);
    out.status = static_cast<int>(parser.get().result_int());
    if (ec == beast::error::timeout) {
      // The rest of the body is still coming: this connection is done.
      stream_.close();
      out.complete = false;
      return out;
    }
    if (ec) return Unavailable("read " + target + ": " + ec.message());
    count(parser.get().body());
    return out;
  }

 private:
  std::string host_header_;
  net::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::~ApiClient() = default;

Result<std::unique_ptr<ApiClient>> ApiClient::Connect(const std::string& host, std::uint16_t port) {
  auto impl = std::make_unique<Impl>(host + ":" + std::to_string(port));
  RETURN_IF_ERROR(impl->Open(host, port));
  return std::unique_ptr<ApiClient>(new ApiClient(std::move(impl)));
}

Result<ApiClient::Reply> ApiClient::Get(const std::string& target) { return impl_->Get(target); }
Result<ApiClient::Streamed> ApiClient::GetCounting(const std::string& target,
                                                   std::chrono::seconds limit) {
  return impl_->GetCounting(target, limit);
}

LatencySummary Summarize(std::vector<double> ms) {
  LatencySummary s;
  s.n = ms.size();
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  const auto rank = [&](double p) {
    const auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(ms.size())));
    return ms[std::clamp<std::size_t>(k, 1, ms.size()) - 1];
  };
  s.p50_ms = rank(0.50);
  s.p99_ms = rank(0.99);
  s.max_ms = ms.back();
  return s;
}

}  // namespace callledger::bench
