#include "server/http_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "server/assets.h"
#include "server/auth.h"
#include "server/live_feed.h"

namespace callledger::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
constexpr auto kTuple = net::as_tuple(use_awaitable);
using Request = http::request<http::string_body>;
constexpr std::string_view kBearerChallenge = "Bearer realm=\"call-ledger\"";

// The route a path belongs to, for metrics: a fixed set of labels, never
// the raw path (ids would make the series unbounded).
std::string RouteOf(std::string_view path) {
  if (path == "/api/calls" || path == "/api/calls.csv" || path == "/api/stats" ||
      path == "/api/missed" || path == "/api/live" || path == "/metrics" || path == "/healthz") {
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

// A live feed client: its socket, its bounded queue, and a timer used as an
// event ("the queue is not empty" / "the client is gone").
struct LiveClient {
  LiveClient(beast::tcp_stream stream, net::io_context& io) : ws(std::move(stream)), wake(io) {}
  websocket::stream<beast::tcp_stream> ws;
  net::steady_timer wake;
  std::deque<std::pair<Seq, std::shared_ptr<const std::string>>> queue;
  bool closed = false;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpServerDeps deps)
      : options_(std::move(options)),
        deps_(std::move(deps)),
        pool_(options_.db_workers ? options_.db_workers : 1) {
    MetricsRegistry& m = *deps_.metrics;
    m.SetGauge("call_ledger_http_connections", "HTTP connections open now.",
               [this] { return static_cast<double>(connections_.load()); });
    m.SetGauge("call_ledger_live_clients", "Live feed (WS /api/live) clients connected now.",
               [this] { return static_cast<double>(live_count_.load()); });
    rejected_ = &m.GetCounter("call_ledger_http_rejected_connections_total",
                              "Connections refused because max_connections were open.");
    slow_ = &m.GetCounter("call_ledger_live_slow_disconnects_total",
                          "Live clients disconnected because their queue was full (too slow).");
    pushed_ = &m.GetCounter("call_ledger_live_messages_sent_total",
                            "Live feed messages written to clients.");
  }

  ~Impl() { Stop(); }

  Result<std::string> Start() {
    boost::system::error_code ec;
    const auto address = net::ip::make_address(options_.host, ec);
    if (ec) return InvalidInput("http listen address '" + options_.host + "': " + ec.message());
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return Unavailable("cannot listen on " + endpoint.address().to_string() + ":" +
                         std::to_string(endpoint.port()) + ": " + ec.message());
    const auto bound = acceptor_.local_endpoint();
    net::co_spawn(io_, Accept(), net::detached);
    thread_ = std::thread([this] {
      try {
        io_.run();
      } catch (const std::exception& e) {
        spdlog::critical("http server stopped by an exception: {}", e.what());
      }
      finished_.set_value();
    });
    started_ = true;
    return bound.address().to_string() + ":" + std::to_string(bound.port());
  }

  void Stop() {
    if (!started_ || stopped_.exchange(true)) return;
    net::post(io_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
      for (beast::tcp_stream* s : connections_open_) s->socket().close(ec);
      for (const auto& c : live_) CloseLive(*c);
    });
    // Connections end within moments once their sockets are closed; a
    // database read in flight is bounded by its statement timeout.
    if (finished_.get_future().wait_for(std::chrono::seconds(3)) != std::future_status::ready)
      io_.stop();
    thread_.join();
    pool_.join();
  }

  void Publish(Seq checkpoint, const std::vector<RowChange>& changes) {
    if (!started_ || live_count_.load() == 0) return;
    auto message = std::make_shared<const std::string>(ChangesMessage(checkpoint, changes));
    net::post(io_, [this, checkpoint, message] {
      for (const auto& c : live_) Enqueue(*c, checkpoint, message);
    });
  }

 private:
  // Runs `work(reader)` on a database worker with a reader of its own and
  // resumes on the server's thread with the result.
  template <typename F>
  awaitable<std::invoke_result_t<F&, CallLogReader&>> OnWorker(F work) {
    using R = std::invoke_result_t<F&, CallLogReader&>;
    std::optional<R> out = co_await net::co_spawn(
        pool_,
        [this, &work]() -> awaitable<std::optional<R>> {
          std::unique_ptr<CallLogReader> reader = Borrow();
          std::optional<R> r(work(*reader));
          Return(std::move(reader));
          co_return r;
        },
        use_awaitable);
    co_return std::move(*out);
  }

  std::unique_ptr<CallLogReader> Borrow() {
    {
      std::lock_guard lock(readers_mu_);
      if (!idle_readers_.empty()) {
        auto r = std::move(idle_readers_.back());
        idle_readers_.pop_back();
        return r;
      }
    }
    return deps_.make_reader();
  }
  void Return(std::unique_ptr<CallLogReader> reader) {
    std::lock_guard lock(readers_mu_);
    idle_readers_.push_back(std::move(reader));
  }

  awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
        spdlog::warn("http accept failed: {}", ec.message());
        continue;
      }
      if (connections_.load() >= options_.limits.max_connections) {
        rejected_->Add();
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      net::co_spawn(io_, Session(std::move(socket)), [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("http connection ended by an exception: {}", ex.what());
        }
      });
    }
  }

  awaitable<void> Session(tcp::socket socket) {
    ++connections_;
    const bool loopback = IsLoopback(socket);
    beast::tcp_stream stream(std::move(socket));
    connections_open_.insert(&stream);
    bool handed_over = false;
    beast::flat_buffer buffer;
    bool first = true;
    while (!stopped_) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(options_.limits.max_header_bytes);
      parser.body_limit(options_.limits.max_body_bytes);
      stream.expires_after(first ? options_.limits.request_timeout : options_.limits.idle_timeout);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
      if (ec) {
        int status = 0;
        if (ec == http::error::header_limit) status = 431;
        if (ec == http::error::body_limit) status = 413;
        // Beast's own parse errors (bad method, bad target, bad version...).
        if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
            status == 0 && ec != http::error::end_of_stream && ec != http::error::partial_message) {
          status = 400;
        }
        if (status) {
          HttpResponse r =
              ErrorResponse(status, status == 431   ? "request header too large"
                                    : status == 413 ? "request body too large"
                                                    : "malformed request: " + ec.message());
          Count("other", status);
          co_await Write(stream, r, 11, false);
        }
        break;
      }
      first = false;
      Request req = parser.release();
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
                : Authorize({options_.bearer_token, options_.allow_loopback_without_token},
                            loopback, req[http::field::authorization], query_token);
      if (auth != AuthDecision::kAllow) {
        const bool unauthorized = auth == AuthDecision::kUnauthorized;
        HttpResponse r = ErrorResponse(
            unauthorized ? 401 : 403,
            unauthorized ? "a bearer token is required"
                         : "only loopback clients are served (no bearer token configured)");
        Count(route, r.status);
        const std::string_view challenge = unauthorized ? kBearerChallenge : std::string_view();
        const bool written = co_await Write(stream, r, req.version(), keep_alive, challenge);
        if (!written || !keep_alive) break;
        continue;
      }

      if (websocket::is_upgrade(req)) {
        if (path != "/api/live") {
          HttpResponse r =
              ErrorResponse(404, "no WebSocket at " + std::string(path) + "; use /api/live");
          Count(route, 404);
          co_await Write(stream, r, req.version(), false);
          break;
        }
        connections_open_.erase(&stream);
        handed_over = true;
        --connections_;
        Count(route, 101);
        co_await Live(std::move(stream), std::move(req));
        co_return;
      }

      bool ok = true;
      HttpResponse response;
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        response = ErrorResponse(
            405, "method " + std::string(req.method_string()) + " not allowed; use GET");
      } else if (path == "/metrics") {
        response = {200,
                    "text/plain; version=0.0.4; charset=utf-8",
                    deps_.metrics->RenderPrometheus(),
                    {},
                    {}};
      } else if (path == "/healthz") {
        response = HealthResponse(deps_.health(), options_.health_max_lag_seconds);
      } else if (path.starts_with("/api/")) {
        HttpRequest api{std::string(http::to_string(req.method())), target,
                        std::string(req[http::field::accept])};
        if (api.method == "HEAD") api.method = "GET";
        response = co_await OnWorker([this, &api](CallLogReader& reader) {
          ApiContext context{reader, deps_.ledger, options_.api};
          return HandleApiRequest(api, context);
        });
      } else if (asset) {
        if (req[http::field::if_none_match] == asset->etag) {
          response = {304, std::string(asset->content_type), {}, {}, {}};
        } else {
          response = {200, std::string(asset->content_type), std::string(asset->body), {}, {}};
        }
        ok = co_await Write(stream, response, req.version(), keep_alive, {}, asset->etag,
                            req.method() == http::verb::head);
        Count(route, response.status, start);
        if (!ok || !keep_alive) break;
        continue;
      } else {
        response = ErrorResponse(404, "no such path: " + std::string(path));
      }

      if (response.next_chunk) {
        ok = co_await WriteStreamed(stream, response, req.version(), keep_alive);
      } else {
        ok = co_await Write(stream, response, req.version(), keep_alive, {}, {},
                            req.method() == http::verb::head);
      }
      Count(route, response.status, start);
      if (!ok || !keep_alive) break;
    }
    if (!handed_over) {
      connections_open_.erase(&stream);
      --connections_;
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  void Count(const std::string& route, int status,
             std::optional<std::chrono::steady_clock::time_point> start = std::nullopt) {
    deps_.metrics
        ->GetCounter("call_ledger_http_requests_total", "HTTP requests by route and status.",
                     {{"route", route}, {"status", std::to_string(status)}})
        .Add();
    if (start) {
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - *start;
      deps_.metrics
          ->GetHistogram("call_ledger_http_request_seconds", "HTTP request handling time by route.",
                         {{"route", route}})
          .Observe(took.count());
    }
  }

  // Views, not strings: GCC 12 can destroy a temporary std::string argument
  // of a co_await expression twice.
  awaitable<bool> Write(beast::tcp_stream& stream, const HttpResponse& r, unsigned version,
                        bool keep_alive, std::string_view www_authenticate = {},
                        std::string_view etag = {}, bool head = false) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "call-ledgerd");
    if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
    if (!www_authenticate.empty()) res.set(http::field::www_authenticate, www_authenticate);
    if (!etag.empty()) {
      res.set(http::field::etag, etag);
      res.set(http::field::cache_control, "no-cache");
    } else {
      res.set(http::field::cache_control, "no-store");
    }
    if (!r.content_disposition.empty())
      res.set(http::field::content_disposition, r.content_disposition);
    res.keep_alive(keep_alive);
    res.body() = r.body;
    res.prepare_payload();
    if (head) res.body().clear();  // the length of the GET stays in Content-Length
    stream.expires_after(options_.limits.write_timeout);
    if (head) {
      http::response_serializer<http::string_body> sr{res};
      auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple);
      co_return !ec;
    }
    auto [ec, n] = co_await http::async_write(stream, res, kTuple);
    co_return !ec;
  }

  // A chunked response whose pieces come from the database one page at a
  // time: one page in memory, however long the export.
  awaitable<bool> WriteStreamed(beast::tcp_stream& stream, const HttpResponse& r, unsigned version,
                                bool keep_alive) {
    http::response<http::empty_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "call-ledgerd");
    res.set(http::field::content_type, r.content_type);
    res.set(http::field::cache_control, "no-store");
    if (!r.content_disposition.empty())
      res.set(http::field::content_disposition, r.content_disposition);
    res.keep_alive(keep_alive);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    stream.expires_after(options_.limits.write_timeout);
    if (auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple); ec) co_return false;
    while (true) {
      auto chunk = co_await OnWorker([&r](CallLogReader& reader) { return r.next_chunk(reader); });
      if (!chunk.ok()) {
        // The status line is gone: breaking the connection without the
        // last chunk is the only way left to say "this is not complete".
        spdlog::error("streamed response aborted: {}", chunk.status().ToString());
        co_return false;
      }
      if (!*chunk) break;
      if ((*chunk)->empty()) continue;
      stream.expires_after(options_.limits.write_timeout);
      auto [ec, n] =
          co_await net::async_write(stream, http::make_chunk(net::buffer(**chunk)), kTuple);
      if (ec) co_return false;
    }
    stream.expires_after(options_.limits.write_timeout);
    auto [ec, n] = co_await net::async_write(stream, http::make_chunk_last(), kTuple);
    co_return !ec;
  }

  awaitable<void> Live(beast::tcp_stream stream, Request req) {
    if (live_.size() >= options_.limits.max_live_clients) {
      HttpResponse r = ErrorResponse(503, "too many live clients");
      co_await Write(stream, r, req.version(), false);
      co_return;
    }
    stream.expires_never();
    auto client = std::make_shared<LiveClient>(std::move(stream), io_);
    auto& ws = client->ws;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options_.limits.request_timeout;
    timeouts.idle_timeout = options_.limits.idle_timeout;  // pings at half of it
    timeouts.keep_alive_pings = true;
    ws.set_option(timeouts);
    ws.read_message_max(4096);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "call-ledgerd"); }));
    if (auto [ec] = co_await ws.async_accept(req, kTuple); ec) co_return;
    live_.insert(client);
    ++live_count_;
    net::co_spawn(io_, ReadUntilClosed(client), net::detached);

    auto snapshot =
        co_await OnWorker([this](CallLogReader& reader) { return reader.Live(options_.node); });
    Seq after{0};
    if (!snapshot.ok()) {
      spdlog::warn("live feed: no snapshot for a client: {}", snapshot.status().ToString());
      client->closed = true;
    } else {
      after = snapshot->checkpoint;
      ws.text(true);
      const std::string message = SnapshotMessage(*snapshot);
      auto [ec, n] = co_await ws.async_write(net::buffer(message), kTuple);
      if (ec) client->closed = true;
    }
    while (!client->closed && !stopped_) {
      if (client->queue.empty()) {
        client->wake.expires_at(net::steady_timer::time_point::max());
        co_await client->wake.async_wait(kTuple);
        continue;
      }
      auto [seq, message] = std::move(client->queue.front());
      client->queue.pop_front();
      if (seq <= after) continue;  // already in the snapshot
      auto [ec, n] = co_await ws.async_write(net::buffer(*message), kTuple);
      if (ec) break;
      pushed_->Add();
    }
    if (!snapshot.ok() || stopped_) {
      const auto code =
          stopped_ ? websocket::close_code::going_away : websocket::close_code::try_again_later;
      co_await ws.async_close(websocket::close_reason(code), kTuple);
    }
    CloseLive(*client);
    live_.erase(client);
    --live_count_;
  }

  awaitable<void> ReadUntilClosed(std::shared_ptr<LiveClient> client) {
    beast::flat_buffer buffer;
    while (true) {
      auto [ec, n] = co_await client->ws.async_read(buffer, kTuple);
      if (ec) break;
      buffer.consume(buffer.size());  // clients have nothing to say
    }
    client->closed = true;
    client->wake.cancel();
  }

  void Enqueue(LiveClient& client, Seq seq, const std::shared_ptr<const std::string>& message) {
    if (client.closed) return;
    if (client.queue.size() >= options_.limits.live_queue_messages) {
      slow_->Add();
      spdlog::warn("live feed: a client fell {} messages behind; disconnected",
                   client.queue.size());
      CloseLive(client);
      return;
    }
    client.queue.emplace_back(seq, message);
    client.wake.cancel();
  }

  void CloseLive(LiveClient& client) {
    client.closed = true;
    client.queue.clear();
    boost::system::error_code ignored;
    beast::get_lowest_layer(client.ws).socket().close(ignored);
    client.wake.cancel();
  }

  HttpServerOptions options_;
  HttpServerDeps deps_;
  net::thread_pool pool_;
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<CallLogReader>> idle_readers_;
  Counter* rejected_ = nullptr;
  Counter* slow_ = nullptr;
  Counter* pushed_ = nullptr;
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> live_count_{0};
  std::atomic<bool> stopped_{false};
  bool started_ = false;
  std::promise<void> finished_;
  std::thread thread_;
  // The server thread's: no locks.
  std::set<beast::tcp_stream*> connections_open_;
  std::set<std::shared_ptr<LiveClient>> live_;
  // Last, so that it goes first: coroutine frames still pending when it is
  // destroyed refer to the members above.
  net::io_context io_{1};
  tcp::acceptor acceptor_{io_};
};

HttpServer::HttpServer(HttpServerOptions options, HttpServerDeps deps)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(deps))) {}
HttpServer::~HttpServer() = default;
Result<std::string> HttpServer::Start() { return impl_->Start(); }
void HttpServer::Stop() { impl_->Stop(); }
void HttpServer::Publish(Seq checkpoint, const std::vector<RowChange>& changes) {
  impl_->Publish(checkpoint, changes);
}

}  // namespace callledger::server
