// The only translation unit of ari-sim that includes Beast: keep it that way,
// Beast is slow to compile.
#include "ari-sim/sim_server.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "ari-sim/rest.h"

namespace callledger::arisim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// Named limits. ARI clients send nothing but the upgrade request and control
// frames, and REST requests here have no body.
constexpr std::size_t kMaxConnections = 64;
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;
constexpr std::uint64_t kMaxRequestBodyBytes = 64 * 1024;
constexpr std::size_t kMaxClientMessageBytes = 64 * 1024;
// An HTTP connection with no complete request (or a response the client does
// not read) for this long is closed.
constexpr auto kHttpTimeout = std::chrono::seconds(30);
// Bounds the WebSocket upgrade and the close handshake.
constexpr auto kWsHandshakeTimeout = std::chrono::seconds(10);
constexpr std::string_view kServerName = "ari-sim (call-ledger)";

constexpr auto kAwaitable = net::as_tuple(net::use_awaitable);

void Log(const std::string& text) {
  std::fprintf(stderr, "ari-sim: %s\n", text.c_str());
  std::fflush(stderr);
}

std::string PeerOf(const tcp::socket& socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "?";
  return FormatHostPort(endpoint.address().to_string(), endpoint.address().is_v6(),
                        endpoint.port());
}

// Logs what escapes a coroutine (only allocation failures can: every I/O
// error is a value here) instead of losing it.
void LogException(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    Log(std::string("internal error in a connection: ") + e.what());
  } catch (...) {
    Log("internal error in a connection");
  }
}

std::string ApplicationReplacedJson(const std::string& app, const std::string& timestamp) {
  boost::json::object event;
  event["type"] = "ApplicationReplaced";
  event["timestamp"] = timestamp;
  event["application"] = app;
  return boost::json::serialize(event);
}

// True when the upgrade request offers the "ari" subprotocol.
bool OffersAriProtocol(std::string_view offered) {
  while (!offered.empty()) {
    const auto comma = offered.find(',');
    std::string_view item = offered.substr(0, comma);
    offered = comma == std::string_view::npos ? std::string_view() : offered.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "ari") return true;
  }
  return false;
}

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

}  // namespace

class SimServer::Impl {
 public:
  Impl(ServerOptions options, Replay replay)
      : options_(std::move(options)), replay_(std::move(replay)) {
    io_.emplace(1);
    acceptor_.emplace(*io_);
    wake_.emplace(*io_);
  }

  ~Impl() {
    // Coroutine frames still pending are destroyed with the io_context;
    // destroy it while every member they may refer to is still alive, and
    // after the I/O objects that need it.
    sub_.reset();
    replaced_.clear();
    signals_.reset();
    wake_.reset();
    acceptor_.reset();
    io_.reset();
  }

  // The TLS context, when a certificate and key were given.
  Status LoadTls() {
    if (options_.tls_cert_file.empty() && options_.tls_key_file.empty()) return Status::Ok();
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
      return InvalidInput("TLS needs both a certificate and a key");
    }
    tls_.emplace(net::ssl::context::tls_server);
    beast::error_code ec;
    tls_->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                          net::ssl::context::no_sslv3,
                      ec);
    tls_->use_certificate_chain_file(options_.tls_cert_file, ec);
    if (ec)
      return InvalidInput("cannot load certificate " + options_.tls_cert_file + ": " +
                          ec.message());
    tls_->use_private_key_file(options_.tls_key_file, net::ssl::context::pem, ec);
    if (ec) return InvalidInput("cannot load key " + options_.tls_key_file + ": " + ec.message());
    return Status::Ok();
  }

  bool tls() const { return tls_.has_value(); }

  Status Bind() {
    beast::error_code ec;
    const auto address = net::ip::make_address(options_.listen.host, ec);
    if (ec) return InvalidInput("cannot use address " + options_.listen.host);
    if (!address.is_loopback()) {
      return InvalidInput("ari-sim listens on loopback only, not " + options_.listen.host);
    }
    const tcp::endpoint endpoint(address, options_.listen.port);
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Unavailable(
          "cannot listen on " +
          FormatHostPort(options_.listen.host, options_.listen.ipv6, options_.listen.port) + ": " +
          ec.message());
    }
    return Status::Ok();
  }

  std::uint16_t port() const {
    beast::error_code ec;
    return acceptor_->local_endpoint(ec).port();
  }

  std::string address() const {
    return FormatHostPort(options_.listen.host, options_.listen.ipv6, port());
  }

  Status Run(SignalHandling signals) {
    if (signals == SignalHandling::kStopOnSigintSigterm) {
      signals_.emplace(*io_, SIGINT, SIGTERM);
      signals_->async_wait([this](const beast::error_code& ec, int signal_number) {
        if (ec) return;
        Log("signal " + std::to_string(signal_number) + ", stopping");
        Stop();
      });
    }
    net::co_spawn(*io_, Accept(), LogException);
    net::co_spawn(*io_, Pump(), LogException);
    try {
      io_->run();
    } catch (const std::exception& e) {
      return Internal(std::string("event loop failed: ") + e.what());
    }
    return Status::Ok();
  }

  void Stop() { io_->stop(); }

 private:
  net::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_->async_accept(kAwaitable);
      if (ec == net::error::operation_aborted) co_return;
      if (ec) {
        // Out of descriptors and the like: say so, breathe, go on.
        Log("accept failed: " + ec.message());
        net::steady_timer pause(*io_, std::chrono::milliseconds(100));
        co_await pause.async_wait(kAwaitable);
        continue;
      }
      if (connections_ >= kMaxConnections) {
        Log("refusing a connection: " + std::to_string(kMaxConnections) + " are open");
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++connections_;
      net::co_spawn(*io_, ServeConnection(std::move(socket)), LogException);
    }
  }

  // A new connection: over TLS, the handshake first; then its HTTP requests.
  net::awaitable<void> ServeConnection(tcp::socket socket) {
    const std::string peer = PeerOf(socket);
    if (!tls_) {
      co_await ServeHttp(beast::tcp_stream(std::move(socket)), peer);
      co_return;
    }
    TlsStream stream(std::move(socket), *tls_);
    beast::get_lowest_layer(stream).expires_after(kWsHandshakeTimeout);
    auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, kAwaitable);
    if (ec) {
      Log(peer + ": TLS handshake failed: " + ec.message());
      beast::get_lowest_layer(stream).close();
      --connections_;
      co_return;
    }
    co_await ServeHttp(std::move(stream), peer);
  }

  // HTTP requests until the connection closes or upgrades to /ari/events.
  template <class Stream>
  net::awaitable<void> ServeHttp(Stream stream, std::string peer) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(kMaxHeaderBytes);
      parser.body_limit(kMaxRequestBodyBytes);
      beast::get_lowest_layer(stream).expires_after(kHttpTimeout);
      auto [read_ec, read_bytes] = co_await http::async_read(stream, buffer, parser, kAwaitable);
      if (read_ec) break;
      http::request<http::string_body> request = parser.release();
      const std::string authorization(request[http::field::authorization]);
      const RestRequest rest{request.method_string(), request.target(), authorization};

      if (websocket::is_upgrade(request)) {
        EventsUpgrade verdict = CheckEventsUpgrade(rest, options_.credentials);
        if (!verdict.accept) {
          Log(peer + ": refused " + std::string(TargetPath(request.target())) + " upgrade (" +
              std::to_string(verdict.refusal.status) + ")");
          co_await WriteResponse(stream, request.version(), verdict.refusal, false);
          break;
        }
        beast::get_lowest_layer(stream).expires_never();
        co_await ServeEvents(std::move(stream), std::move(request), std::move(verdict.app), peer);
        --connections_;
        co_return;
      }

      const RestResponse answer =
          HandleRest(rest, {options_.credentials, options_.asterisk_info, replay_.state()});
      if (answer.status == 401) Log(peer + ": 401 for " + std::string(TargetPath(rest.target)));
      const bool keep_alive = request.keep_alive();
      const beast::error_code write_ec =
          co_await WriteResponse(stream, request.version(), answer, keep_alive);
      if (write_ec || !keep_alive) break;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
    --connections_;
  }

  template <class Stream>
  net::awaitable<beast::error_code> WriteResponse(Stream& stream, unsigned version,
                                                  const RestResponse& answer, bool keep_alive) {
    http::response<http::string_body> response{static_cast<http::status>(answer.status), version};
    response.set(http::field::server, kServerName);
    response.set(http::field::content_type, "application/json");
    if (answer.ask_for_credentials) response.set(http::field::www_authenticate, kAuthRealm);
    response.keep_alive(keep_alive);
    response.body() = answer.body;
    response.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(kHttpTimeout);
    auto [ec, bytes] = co_await http::async_write(stream, response, kAwaitable);
    co_return ec;
  }

  // An accepted /ari/events upgrade: handshake, subscribe, then read (and
  // discard) until the client goes away. Events are written by Pump().
  template <class Stream>
  net::awaitable<void> ServeEvents(Stream stream, http::request<http::string_body> request,
                                   std::string app, std::string peer) {
    auto session =
        std::make_shared<WsSession>(std::move(stream), std::move(app), peer, ++last_session_id_);
    const bool accepted =
        co_await session->With([&](auto& ws) { return Accept(ws, request, peer); });
    if (!accepted) co_return;
    Subscribe(session);
    beast::flat_buffer buffer;
    for (;;) {
      auto [ec, bytes] =
          co_await session->With([&](auto& ws) { return ws.async_read(buffer, kAwaitable); });
      if (ec) break;
      buffer.consume(buffer.size());
    }
    Unsubscribe(session);
  }

  // The WebSocket handshake of a session; false when it failed.
  template <class Ws>
  net::awaitable<bool> Accept(Ws& ws, const http::request<http::string_body>& request,
                              const std::string& peer) {
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kWsHandshakeTimeout;
    // Asterisk does not time out a quiet client; neither do we (on loopback
    // the kernel reports a peer that went away).
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    const bool ari_protocol = OffersAriProtocol(request[http::field::sec_websocket_protocol]);
    ws.set_option(websocket::stream_base::decorator([ari_protocol](websocket::response_type& r) {
      r.set(http::field::server, kServerName);
      if (ari_protocol) r.set(http::field::sec_websocket_protocol, "ari");
    }));
    ws.read_message_max(kMaxClientMessageBytes);
    // Each event is one text frame, as Asterisk sends it.
    ws.auto_fragment(false);
    ws.text(true);
    auto [accept_ec] = co_await ws.async_accept(request, kAwaitable);
    if (accept_ec) {
      Log(peer + ": WebSocket handshake failed: " + accept_ec.message());
      co_return false;
    }
    co_return true;
  }

  void Subscribe(const std::shared_ptr<WsSession>& session) {
    const std::string who = "client " + std::to_string(session->id) + " (" + session->peer + ")";
    if (!stream_app_) stream_app_ = session->app;
    if (session->app != *stream_app_) {
      Log(who + " subscribed to app '" + session->app + "': the recording plays to app '" +
          *stream_app_ + "', this one gets no events");
      return;
    }
    if (sub_) {
      Log("client " + std::to_string(sub_->id) + " replaced by " + who + " (ApplicationReplaced)");
      replaced_.push_back(std::move(sub_));
    }
    sub_ = session;
    Log(who + " subscribed to app '" + session->app + "'; next frame " +
        (replay_.done() ? std::string("none (the stream has ended)")
                        : std::to_string(replay_.next_number())));
    Wake();
  }

  void Unsubscribe(const std::shared_ptr<WsSession>& session) {
    if (sub_ != session) return;
    sub_.reset();
    Log("client " + std::to_string(session->id) + " disconnected; the stream waits");
    Wake();
  }

  void Wake() { wake_->cancel(); }

  net::awaitable<void> SleepUntil(Clock::time_point when) {
    wake_->expires_at(when);
    co_await wake_->async_wait(kAwaitable);
  }

  // The single writer of events (see the header).
  net::awaitable<void> Pump() {
    // True while the stream waits for a subscriber: simulated time stands
    // still, so the next frame is due no earlier than the subscription.
    bool paused = true;
    bool end_logged = false;
    std::optional<Clock::time_point> start;  // when frame offsets count from
    for (;;) {
      for (auto& old : replaced_) {
        StartGoodbye(old, ApplicationReplacedJson(old->app, replay_.CurrentTimestampText()));
      }
      replaced_.clear();

      if (replay_.done() && !end_logged) {
        end_logged = true;
        Log("stream ended: " + std::to_string(replay_.frames_sent()) + " frames sent, " +
            std::to_string(replay_.frames_skipped()) + " skipped; REST goes on");
      }
      if (!sub_ || replay_.done()) {
        paused = true;
        co_await SleepUntil(Clock::time_point::max());
        continue;
      }

      const Clock::time_point now = Clock::now();
      if (!start) {
        start = now + options_.lead_in;
        Log("stream started (" + std::to_string(replay_.frame_count()) + " frames)");
      } else if (paused) {
        start = std::max(*start, now + options_.lead_in - replay_.next_offset());
      }
      paused = false;
      const Clock::time_point due = *start + replay_.next_offset();
      if (now < due) {
        co_await SleepUntil(due);
        continue;
      }

      replay_.ApplyNext();
      const std::shared_ptr<WsSession> target = sub_;
      auto [ec, bytes] = co_await target->With([this](auto& ws) {
        return ws.async_write(net::buffer(replay_.next_frame().bytes), kAwaitable);
      });
      if (ec) {
        Log("client " + std::to_string(target->id) + ": frame " +
            std::to_string(replay_.next_number()) + " not delivered (" + ec.message() +
            "); it goes to the next client");
        if (sub_ == target) sub_.reset();
        continue;
      }
      const Replay::Sent sent = replay_.MarkSent();
      if (sent.drop) {
        std::string what = "drop after frame " + std::to_string(sent.number) + ": closing client " +
                           std::to_string(target->id);
        if (sent.last_skipped >= sent.first_skipped) {
          what += ", skipping frames " + std::to_string(sent.first_skipped) + ".." +
                  std::to_string(sent.last_skipped);
        }
        Log(what);
        if (sub_ == target) sub_.reset();
        StartGoodbye(target, std::string());
      }
    }
  }

  // The connection's last message (if any) and a normal close, once.
  void StartGoodbye(const std::shared_ptr<WsSession>& session, std::string last_message) {
    if (session->closing) return;
    session->closing = true;
    net::co_spawn(*io_, Goodbye(session, std::move(last_message)), LogException);
  }

  net::awaitable<void> Goodbye(std::shared_ptr<WsSession> session, std::string last_message) {
    if (!last_message.empty()) {
      auto [ec, bytes] = co_await session->With(
          [&](auto& ws) { return ws.async_write(net::buffer(last_message), kAwaitable); });
      if (ec) co_return;
    }
    auto [ec] = co_await session->With(
        [](auto& ws) { return ws.async_close(websocket::close_code::normal, kAwaitable); });
    (void)ec;  // the client may already be gone; nothing else to do
  }

  ServerOptions options_;
  Replay replay_;
  std::optional<net::io_context> io_;
  std::optional<net::ssl::context> tls_;  // serving https/wss when set
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::steady_timer> wake_;
  std::optional<net::signal_set> signals_;
  std::size_t connections_ = 0;
  std::uint64_t last_session_id_ = 0;
  std::optional<std::string> stream_app_;
  std::shared_ptr<WsSession> sub_;                    // the current subscriber
  std::vector<std::shared_ptr<WsSession>> replaced_;  // to be told and closed
};

Result<std::unique_ptr<SimServer>> SimServer::Create(ServerOptions options, Replay replay) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(replay));
  RETURN_IF_ERROR(impl->LoadTls());
  RETURN_IF_ERROR(impl->Bind());
  return std::unique_ptr<SimServer>(new SimServer(std::move(impl)));
}

SimServer::SimServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SimServer::~SimServer() = default;

std::string SimServer::local_address() const { return impl_->address(); }
std::uint16_t SimServer::local_port() const { return impl_->port(); }
Status SimServer::Run(SignalHandling signals) { return impl_->Run(signals); }
void SimServer::Stop() { impl_->Stop(); }

}  // namespace callledger::arisim
