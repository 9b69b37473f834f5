#include "server/http_response.h"

#include <spdlog/spdlog.h>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

namespace callledger::server {

awaitable<bool> WriteResponse(beast::tcp_stream& stream, const HttpResponse& r, unsigned version,
                              bool keep_alive, std::chrono::milliseconds write_timeout,
                              ResponseExtras extras) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "call-ledgerd");
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  if (!extras.www_authenticate.empty())
    res.set(http::field::www_authenticate, extras.www_authenticate);
  if (!extras.etag.empty()) {
    res.set(http::field::etag, extras.etag);
    res.set(http::field::cache_control, "no-cache");
  } else {
    res.set(http::field::cache_control, "no-store");
  }
  if (!r.content_disposition.empty())
    res.set(http::field::content_disposition, r.content_disposition);
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  if (extras.head) res.body().clear();  // the length of the GET stays in Content-Length
  stream.expires_after(write_timeout);
  if (extras.head) {
    http::response_serializer<http::string_body> sr{res};
    auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple);
    co_return !ec;
  }
  auto [ec, n] = co_await http::async_write(stream, res, kTuple);
  co_return !ec;
}

awaitable<bool> WriteStreamed(beast::tcp_stream& stream, const HttpResponse& r, unsigned version,
                              bool keep_alive, std::chrono::milliseconds write_timeout,
                              WorkerPool& workers) {
  http::response<http::empty_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "call-ledgerd");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-store");
  if (!r.content_disposition.empty())
    res.set(http::field::content_disposition, r.content_disposition);
  res.keep_alive(keep_alive);
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  stream.expires_after(write_timeout);
  if (auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple); ec) co_return false;
  while (true) {
    auto chunk = co_await workers.Run([&r](CallLogReader& reader) { return r.next_chunk(reader); });
    if (!chunk.ok()) {
      // The status line is gone: breaking the connection without the last
      // chunk is the only way left to say "this is not complete".
      spdlog::error("streamed response aborted: {}", chunk.status().ToString());
      co_return false;
    }
    if (!*chunk) break;
    if ((*chunk)->empty()) continue;
    stream.expires_after(write_timeout);
    auto [ec, n] =
        co_await net::async_write(stream, http::make_chunk(net::buffer(**chunk)), kTuple);
    if (ec) co_return false;
  }
  stream.expires_after(write_timeout);
  auto [ec, n] = co_await net::async_write(stream, http::make_chunk_last(), kTuple);
  co_return !ec;
}

}  // namespace callledger::server
