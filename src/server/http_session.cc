#include "server/http_session.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <string>
#include <string_view>

#include "server/assets.h"
#include "server/auth.h"
#include "server/health.h"
#include "server/http_response.h"
#include "server/live_session.h"

namespace callledger::server {
namespace {

constexpr std::string_view kBearerChallenge = "Bearer realm=\"call-ledger\"";

// The route a path belongs to, for metrics: a fixed set of labels, never
// the raw path (ids would make the series unbounded).
std::string RouteOf(std::string_view path) {
  if (path == "/api/calls" || path == "/api/calls.csv" || path == "/api/stats" ||
      path == "/api/missed" || path == "/api/agents" || path == "/api/live" || path == "/metrics" ||
      path == "/healthz") {
    return std::string(path);
  }
  if (path.starts_with("/api/calls/")) {
    return path.ends_with("/events") ? "/api/calls/{id}/events" : "/api/calls/{id}";
  }
  if (FindAsset(path)) return "/ (wallboard)";
  return "other";
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

bool IsLoopback(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  return !ec && remote.address().is_loopback();
}

// What a session does after a request.
enum class Next {
  kContinue,    // read the next request (kept alive)
  kClose,       // shut the connection down
  kHandedOver,  // the live feed owns the socket now
};

Next After(bool written, bool keep_alive) {
  return written && keep_alive ? Next::kContinue : Next::kClose;
}

class HttpSession {
 public:
  HttpSession(ServerState& state, tcp::socket socket)
      : state_(state), loopback_(IsLoopback(socket)), stream_(std::move(socket)) {}

  awaitable<void> Run() {
    state_.AddConnection(stream_);
    bool first = true;
    Next next = Next::kContinue;
    while (next == Next::kContinue && !state_.stopping()) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(state_.limits().max_header_bytes);
      parser.body_limit(state_.limits().max_body_bytes);
      stream_.expires_after(first ? state_.limits().request_timeout : state_.limits().idle_timeout);
      auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, kTuple);
      if (ec) {
        co_await RefuseUnreadable(ec);
        break;
      }
      first = false;
      Request req = parser.release();
      next = co_await Serve(std::move(req));
    }
    if (next != Next::kHandedOver) {
      state_.RemoveConnection(stream_);
      boost::system::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

 private:
  // A request that could not be read: too large or not HTTP gets its status
  // (and the connection is closed); a client that went away or timed out
  // gets nothing.
  awaitable<void> RefuseUnreadable(const boost::system::error_code& ec) {
    int status = 0;
    if (ec == http::error::header_limit) status = 431;
    if (ec == http::error::body_limit) status = 413;
    // Beast's own parse errors (bad method, bad target, bad version...).
    if (ec.category() == http::make_error_code(http::error::bad_target).category() && status == 0 &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      status = 400;
    }
    if (status == 0) co_return;
    HttpResponse r = ErrorResponse(status, status == 431   ? "request header too large"
                                           : status == 413 ? "request body too large"
                                                           : "malformed request: " + ec.message());
    state_.CountRequest("other", status);
    co_await WriteResponse(stream_, r, 11, false, state_.limits().write_timeout);
  }

  awaitable<Next> Serve(Request req) {
    const bool keep_alive = req.keep_alive();
    const auto start = std::chrono::steady_clock::now();
    auto [target, query_token] = TakeAccessToken(req.target());
    const std::string_view path = PathOf(target);
    const std::string route = RouteOf(path);

    // The wallboard's own files hold no data (it fetches that with its
    // token), so a wall screen can load them before it has sent one.
    const Asset* asset = FindAsset(path);
    const AuthDecision auth =
        asset ? AuthDecision::kAllow
              : Authorize(
                    {state_.options().bearer_token, state_.options().allow_loopback_without_token},
                    loopback_, req[http::field::authorization], query_token);
    if (auth != AuthDecision::kAllow) {
      const bool unauthorized = auth == AuthDecision::kUnauthorized;
      HttpResponse r = ErrorResponse(
          unauthorized ? 401 : 403,
          unauthorized ? "a bearer token is required"
                       : "only loopback clients are served (no bearer token configured)");
      state_.CountRequest(route, r.status);
      ResponseExtras extras;
      if (unauthorized) extras.www_authenticate = kBearerChallenge;
      const bool written = co_await WriteResponse(stream_, r, req.version(), keep_alive,
                                                  state_.limits().write_timeout, extras);
      co_return After(written, keep_alive);
    }

    if (beast::websocket::is_upgrade(req)) {
      if (path != "/api/live") {
        HttpResponse r =
            ErrorResponse(404, "no WebSocket at " + std::string(path) + "; use /api/live");
        state_.CountRequest(route, 404);
        co_await WriteResponse(stream_, r, req.version(), false, state_.limits().write_timeout);
        co_return Next::kClose;
      }
      state_.RemoveConnection(stream_);
      state_.CountRequest(route, 101);
      co_await LiveSession::Serve(state_, std::move(stream_), std::move(req));
      co_return Next::kHandedOver;
    }

    const bool head = req.method() == http::verb::head;
    HttpResponse response;
    if (req.method() != http::verb::get && !head) {
      response = ErrorResponse(
          405, "method " + std::string(req.method_string()) + " not allowed; use GET");
    } else if (path == "/metrics") {
      response = {200,
                  "text/plain; version=0.0.4; charset=utf-8",
                  state_.deps().metrics->RenderPrometheus(),
                  {},
                  {}};
    } else if (path == "/healthz") {
      response = HealthResponse(state_.deps().health(), state_.options().health_max_lag_seconds);
    } else if (path.starts_with("/api/")) {
      HttpRequest api{std::string(http::to_string(req.method())), target,
                      std::string(req[http::field::accept])};
      if (api.method == "HEAD") api.method = "GET";
      response = co_await state_.workers().Run([this, &api](CallLogReader& reader) {
        ApiContext context{reader, state_.deps().ledger, state_.options().api};
        return HandleApiRequest(api, context);
      });
    } else if (asset) {
      if (req[http::field::if_none_match] == asset->etag) {
        response = {304, std::string(asset->content_type), {}, {}, {}};
      } else {
        response = {200, std::string(asset->content_type), std::string(asset->body), {}, {}};
      }
      ResponseExtras extras;
      extras.etag = asset->etag;
      extras.head = head;
      const bool written = co_await WriteResponse(stream_, response, req.version(), keep_alive,
                                                  state_.limits().write_timeout, extras);
      state_.CountRequest(route, response.status, start);
      co_return After(written, keep_alive);
    } else {
      response = ErrorResponse(404, "no such path: " + std::string(path));
    }

    bool written;
    if (response.next_chunk) {
      written = co_await WriteStreamed(stream_, response, req.version(), keep_alive,
                                       state_.limits().write_timeout, state_.workers());
    } else {
      ResponseExtras extras;
      extras.head = head;
      written = co_await WriteResponse(stream_, response, req.version(), keep_alive,
                                       state_.limits().write_timeout, extras);
    }
    state_.CountRequest(route, response.status, start);
    co_return After(written, keep_alive);
  }

  ServerState& state_;
  const bool loopback_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

}  // namespace

awaitable<void> ServeHttpConnection(ServerState& state, tcp::socket socket) {
  HttpSession session(state, std::move(socket));
  co_await session.Run();
}

}  // namespace callledger::server
