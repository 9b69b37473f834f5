// ari-sim's listener and HTTP connections (sim_server.h); one of its two
// Beast translation units (sim_connection.h), the other being
// event_stream.cc. Beast is slow to compile: keep it to those two.
#include "ari-sim/sim_server.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <utility>

#include "ari-sim/event_stream.h"
#include "ari-sim/rest.h"
#include "ari-sim/sim_connection.h"

namespace callledger::arisim {
namespace {

// Named limits. REST requests here have no body; the WebSocket clients'
// limits are event_stream.cc's.
constexpr std::size_t kMaxConnections = 64;
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;
constexpr std::uint64_t kMaxRequestBodyBytes = 64 * 1024;
// An HTTP connection with no complete request (or a response the client does
// not read) for this long is closed.
constexpr auto kHttpTimeout = std::chrono::seconds(30);

std::string PeerOf(const tcp::socket& socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "?";
  return FormatHostPort(endpoint.address().to_string(), endpoint.address().is_v6(),
                        endpoint.port());
}

}  // namespace

void Log(const std::string& text) {
  std::fprintf(stderr, "ari-sim: %s\n", text.c_str());
  std::fflush(stderr);
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

class SimServer::Impl {
 public:
  Impl(ServerOptions options, Replay replay, std::optional<CelPlayback> cel)
      : options_(std::move(options)), replay_(std::move(replay)), cel_(std::move(cel)) {
    io_.emplace(1);
    acceptor_.emplace(*io_);
    events_.emplace(*io_, replay_, options_.lead_in, options_.restamp, options_.capture_names,
                    options_.stream_out, cel_ ? &*cel_ : nullptr);
  }

  ~Impl() {
    // Coroutine frames still pending are destroyed with the io_context;
    // destroy it while every member they may refer to is still alive, and
    // after the I/O objects that need it.
    events_->ReleaseIo();
    signals_.reset();
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
    net::co_spawn(*io_, events_->Pump(), LogException);
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
        if (const std::optional<std::string> away = events_->Away(Clock::now())) {
          Log(peer + ": refused " + std::string(TargetPath(request.target())) +
              " upgrade (503): " + *away);
          // A named answer: GCC destroys a temporary in a co_await
          // expression twice.
          const RestResponse unavailable{503, MessageJson(*away)};
          co_await WriteResponse(stream, request.version(), unavailable, false);
          break;
        }
        beast::get_lowest_layer(stream).expires_never();
        co_await ServeEvents(std::move(stream), std::move(request), std::move(verdict.app), peer);
        --connections_;
        co_return;
      }

      // After a restart, the new process answers.
      const std::string* restarted = replay_.restarted_info();
      const RestResponse answer = HandleRest(
          rest, {options_.credentials, restarted != nullptr ? *restarted : options_.asterisk_info,
                 replay_.state()});
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

  // An accepted /ari/events upgrade, handed to the event stream.
  template <class Stream>
  net::awaitable<void> ServeEvents(Stream stream, http::request<http::string_body> request,
                                   std::string app, std::string peer) {
    auto session =
        std::make_shared<WsSession>(std::move(stream), std::move(app), peer, ++last_session_id_);
    co_await events_->Serve(std::move(session), std::move(request), std::move(peer));
  }

  ServerOptions options_;
  Replay replay_;
  std::optional<CelPlayback> cel_;  // the CEL lines to write, if any
  std::optional<net::io_context> io_;
  std::optional<net::ssl::context> tls_;  // serving https/wss when set
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::signal_set> signals_;
  std::optional<EventStream> events_;  // the /ari/events clients and the pump
  std::size_t connections_ = 0;
  std::uint64_t last_session_id_ = 0;
};

Result<std::unique_ptr<SimServer>> SimServer::Create(ServerOptions options, Replay replay,
                                                     std::optional<CelPlayback> cel) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(replay), std::move(cel));
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
