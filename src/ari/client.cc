#include "ari/client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <random>

#include "ari/event_decoder.h"

namespace callledger::ari {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using net::use_awaitable;
constexpr auto kTuple = net::as_tuple(use_awaitable);

std::string BasicAuthorization(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string out(beast::detail::base64::encoded_size(plain.size()), '\0');
  out.resize(beast::detail::base64::encode(out.data(), plain.data(), plain.size()));
  return "Basic " + out;
}

std::string RedactUrlForLogs(const std::string& url) {
  std::string out = url;
  // userinfo: scheme://user:pass@host -> scheme://***@host
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto host_start = scheme + 3;
    const auto at = out.find('@', host_start);
    const auto slash = out.find('/', host_start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      out.replace(host_start, at - host_start, "***");
    }
  }
  // api_key=... -> api_key=***
  for (auto pos = out.find("api_key="); pos != std::string::npos; pos = out.find("api_key=", pos + 1)) {
    const auto start = pos + 8;
    const auto end = out.find('&', start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

struct AriClient::Impl {
  net::io_context& io;
  ClientOptions options;
  ClientSink& sink;
  ClientStats& stats;
  std::atomic<bool> stopping{false};
  std::shared_ptr<websocket::stream<beast::tcp_stream>> ws;  // the live socket, for Stop()
  std::shared_ptr<net::steady_timer> backoff;                // the pending wait, for Stop()
  std::mt19937_64 rng{std::random_device{}()};

  Impl(net::io_context& i, ClientOptions o, ClientSink& s, ClientStats& st)
      : io(i), options(std::move(o)), sink(s), stats(st) {}

  // One REST GET on its own connection. Returns status and body; status 0
  // with the error text in `body` when the request itself failed.
  net::awaitable<std::pair<int, std::string>> Get(const std::string& path) {
    tcp::resolver resolver(io);
    auto [rerr, endpoints] = co_await resolver.async_resolve(options.host, options.port, kTuple);
    if (rerr) co_return std::pair<int, std::string>{0, "resolve " + options.host + ": " + rerr.message()};
    beast::tcp_stream stream(io);
    stream.expires_after(options.connect_timeout);
    auto [cerr, ep] = co_await stream.async_connect(endpoints, kTuple);
    if (cerr) co_return std::pair<int, std::string>{0, "connect " + options.host + ":" + options.port + ": " + cerr.message()};
    http::request<http::empty_body> req{http::verb::get, options.rest_prefix + path + options.rest_query, 11};
    req.set(http::field::host, options.host);
    req.set(http::field::user_agent, "call-ledgerd");
    if (!options.authorization.empty()) req.set(http::field::authorization, options.authorization);
    auto [werr, wn] = co_await http::async_write(stream, req, kTuple);
    if (werr) co_return std::pair<int, std::string>{0, "GET " + path + ": " + werr.message()};
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    auto [herr, hn] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (herr) co_return std::pair<int, std::string>{0, "GET " + path + ": " + herr.message()};
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    auto res = parser.release();
    co_return std::pair<int, std::string>{static_cast<int>(res.result_int()), std::move(res.body())};
  }

  net::awaitable<void> Snapshot() {
    auto [cs, channels] = co_await Get("/channels");
    auto [bs, bridges] = co_await Get("/bridges");
    if (cs == 200 && bs == 200) {
      sink.OnSnapshot(std::move(channels), std::move(bridges));
    } else {
      spdlog::error("ARI reconciliation failed: GET /ari/channels -> {}, GET /ari/bridges -> {}", cs, bs);
    }
  }

  // One connection's life; returns why it ended and whether to back off at the cap.
  net::awaitable<std::pair<std::string, bool>> Connect() {
    auto [status, info] = co_await Get("/asterisk/info");
    if (status == 401) co_return std::pair<std::string, bool>{"ARI authentication failed (HTTP 401): check ARI_USER/ARI_PASSWORD", false};
    if (status != 200) {
      co_return std::pair<std::string, bool>{status == 0 ? info : "GET /ari/asterisk/info answered HTTP " + std::to_string(status), false};
    }
    tcp::resolver resolver(io);
    auto [rerr, endpoints] = co_await resolver.async_resolve(options.host, options.port, kTuple);
    if (rerr) co_return std::pair<std::string, bool>{"resolve: " + rerr.message(), false};
    auto socket = std::make_shared<websocket::stream<beast::tcp_stream>>(io);
    beast::get_lowest_layer(*socket).expires_after(options.connect_timeout);
    auto [cerr, ep] = co_await beast::get_lowest_layer(*socket).async_connect(endpoints, kTuple);
    if (cerr) co_return std::pair<std::string, bool>{"connect: " + cerr.message(), false};
    beast::get_lowest_layer(*socket).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options.connect_timeout;
    timeouts.idle_timeout = options.ping_interval;
    timeouts.keep_alive_pings = true;
    socket->set_option(timeouts);
    socket->read_message_max(options.max_frame_bytes);
    const std::string authorization = options.authorization;
    socket->set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
      req.set(http::field::user_agent, "call-ledgerd");
      if (!authorization.empty()) req.set(http::field::authorization, authorization);
    }));
    websocket::response_type response;
    auto [herr] = co_await socket->async_handshake(response, options.host + ":" + options.port,
                                                   options.events_target, kTuple);
    if (herr) {
      if (response.result_int() == 401) {
        co_return std::pair<std::string, bool>{"ARI authentication failed (HTTP 401) on the events WebSocket", false};
      }
      co_return std::pair<std::string, bool>{"WebSocket handshake: " + herr.message(), false};
    }
    ws = socket;
    ++stats.connects;
    stats.connected = true;
    spdlog::info("Connected to Asterisk ARI WebSocket ({})", RedactUrlForLogs(EventsUrl()));
    sink.OnConnected(info);
    net::co_spawn(io, Snapshot(), net::detached);

    beast::flat_buffer buffer;
    std::string reason = "closed by Asterisk";
    bool replaced = false;
    while (!stopping) {
      auto [err, n] = co_await socket->async_read(buffer, kTuple);
      if (err) {
        reason = err == websocket::error::closed ? "closed by Asterisk" : err.message();
        break;
      }
      std::string frame = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      ++stats.frames;
      std::string_view type;
      if (LeadingStringField(frame, "type", &type) && type == "ApplicationReplaced") replaced = true;
      sink.OnFrame(std::move(frame));
      if (replaced) {
        reason = "ApplicationReplaced: another client took the application name; backing off";
        beast::error_code ignored;
        beast::get_lowest_layer(*socket).close();
        break;
      }
    }
    stats.connected = false;
    ws.reset();
    co_return std::pair<std::string, bool>{reason, replaced};
  }

  std::string EventsUrl() const { return "ws://" + options.host + ":" + options.port + options.events_target; }
};

AriClient::AriClient(net::io_context& io, ClientOptions options, ClientSink& sink)
    : impl_(std::make_unique<Impl>(io, std::move(options), sink, stats_)) {}

AriClient::~AriClient() = default;

std::string AriClient::EventsUrlForLogs() const { return RedactUrlForLogs(impl_->EventsUrl()); }

void AriClient::Stop() {
  impl_->stopping = true;
  net::post(impl_->io, [impl = impl_.get()] {
    if (impl->ws) beast::get_lowest_layer(*impl->ws).close();
    if (impl->backoff) impl->backoff->cancel();
  });
}

net::awaitable<void> AriClient::Run() {
  Impl& d = *impl_;
  std::chrono::milliseconds delay = d.options.reconnect_initial;
  while (!d.stopping) {
    const auto started = std::chrono::steady_clock::now();
    auto [reason, replaced] = co_await d.Connect();
    if (d.stopping) break;
    const bool was_up = std::chrono::steady_clock::now() - started > std::chrono::seconds(5);
    ++stats_.failures;
    d.sink.OnDisconnected(reason);
    // A connection that lived a while starts the backoff afresh; an
    // ApplicationReplaced waits the longest.
    if (was_up && !replaced) delay = d.options.reconnect_initial;
    if (replaced) delay = d.options.reconnect_max;
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    const auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(delay.count()) * jitter(d.rng)));
    spdlog::warn("ARI connection to {}:{} lost or refused: {}; retrying in {} ms", d.options.host, d.options.port,
                 reason, wait.count());
    d.backoff = std::make_shared<net::steady_timer>(d.io, wait);
    co_await d.backoff->async_wait(kTuple);
    d.backoff.reset();
    delay = std::min(delay * 2, d.options.reconnect_max);
  }
}

}  // namespace callledger::ari
