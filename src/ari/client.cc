#include "ari/client.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <functional>
#include <optional>
#include <random>
#include <type_traits>

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

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// Why a TLS handshake failed, in words: OpenSSL's reason, plus the
// certificate check's verdict when that is what failed.
std::string TlsFailure(TlsStream& stream, const beast::error_code& ec) {
  const long verify = SSL_get_verify_result(stream.native_handle());
  if (verify != X509_V_OK)
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  return ec.message();
}

struct AriClient::Impl {
  net::io_context& io;
  ClientOptions options;
  ClientSink& sink;
  ClientStats& stats;
  std::atomic<bool> stopping{false};
  std::function<void()> close_live;            // closes the live socket, for Stop()
  std::shared_ptr<net::steady_timer> backoff;  // the pending wait, for Stop()
  std::mt19937_64 rng{std::random_device{}()};
  std::optional<net::ssl::context> tls;  // with options.tls
  std::string tls_setup_error;           // why `tls` is unusable (a bad ca_file), or ""

  Impl(net::io_context& i, ClientOptions o, ClientSink& s, ClientStats& st)
      : io(i), options(std::move(o)), sink(s), stats(st) {
    if (options.tls) SetUpTls();
  }

  void SetUpTls() {
    tls.emplace(net::ssl::context::tls_client);
    beast::error_code ec;
    tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                         net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                         net::ssl::context::no_tlsv1_1,
                     ec);
    if (!options.verify_tls) {
      tls->set_verify_mode(net::ssl::verify_none, ec);
      return;
    }
    tls->set_verify_mode(net::ssl::verify_peer, ec);
    if (options.ca_file.empty()) {
      tls->set_default_verify_paths(ec);
      if (ec) tls_setup_error = "TLS: cannot load the system's CA certificates: " + ec.message();
    } else {
      tls->load_verify_file(options.ca_file, ec);
      if (ec) tls_setup_error = "TLS: cannot load CA file " + options.ca_file + ": " + ec.message();
    }
  }

  std::string Where() const { return options.host + ":" + options.port; }

  template <class Stream, class Outer = Stream>
  std::shared_ptr<Outer> MakeStream() {
    if constexpr (kIsTls<Stream>) {
      return std::make_shared<Outer>(io, *tls);
    } else {
      return std::make_shared<Outer>(io);
    }
  }

  // TCP connect and, over TLS, the handshake (SNI, certificate and host name
  // checks), all within connect_timeout. "" on success, else why not.
  template <class Stream>
  net::awaitable<std::string> Open(Stream& stream) {
    tcp::resolver resolver(io);
    auto [rerr, endpoints] = co_await resolver.async_resolve(options.host, options.port, kTuple);
    if (rerr) co_return "resolve " + options.host + ": " + rerr.message();
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_after(options.connect_timeout);
    auto [cerr, ep] = co_await tcp_layer.async_connect(endpoints, kTuple);
    if (cerr) co_return "connect " + Where() + ": " + cerr.message();
    if constexpr (kIsTls<Stream>) {
      // SNI carries names only (RFC 6066): not for an IP address.
      beast::error_code not_ip;
      net::ip::make_address(options.host, not_ip);
      const bool is_ip = !not_ip;
      if (!is_ip && !SSL_set_tlsext_host_name(stream.native_handle(), options.host.c_str())) {
        co_return "TLS: cannot set the server name " + options.host;
      }
      if (options.verify_tls) {
        // Asio's check, plus the reason in OpenSSL's verify result when the
        // chain is fine but the certificate names another host.
        stream.set_verify_callback([check = net::ssl::host_name_verification(options.host), is_ip](
                                       bool preverified, net::ssl::verify_context& ctx) mutable {
          if (check(preverified, ctx)) return true;
          X509_STORE_CTX* store = ctx.native_handle();
          if (preverified && X509_STORE_CTX_get_error_depth(store) == 0) {
            X509_STORE_CTX_set_error(
                store, is_ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
          }
          return false;
        });
      }
      auto [herr] = co_await stream.async_handshake(net::ssl::stream_base::client, kTuple);
      if (herr) co_return "TLS handshake with " + Where() + " failed: " + TlsFailure(stream, herr);
    }
    co_return std::string();
  }

  // One REST GET on its own connection. Returns status and body; status 0
  // with the error text in `body` when the request itself failed.
  template <class Stream>
  net::awaitable<std::pair<int, std::string>> GetOver(const std::string& path) {
    auto stream = MakeStream<Stream>();
    if (std::string err = co_await Open(*stream); !err.empty())
      co_return std::pair<int, std::string>{0, err};
    http::request<http::empty_body> req{http::verb::get,
                                        options.rest_prefix + path + options.rest_query, 11};
    req.set(http::field::host, options.host);
    req.set(http::field::user_agent, "call-ledgerd");
    if (!options.authorization.empty()) req.set(http::field::authorization, options.authorization);
    auto [werr, wn] = co_await http::async_write(*stream, req, kTuple);
    if (werr) co_return std::pair<int, std::string>{0, "GET " + path + ": " + werr.message()};
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    auto [herr, hn] = co_await http::async_read(*stream, buffer, parser, kTuple);
    if (herr) co_return std::pair<int, std::string>{0, "GET " + path + ": " + herr.message()};
    // One request per connection: close it (over TLS without waiting for
    // the peer's close_notify; the response is complete).
    beast::error_code ignored;
    beast::get_lowest_layer(*stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(*stream).close();
    auto res = parser.release();
    co_return std::pair<int, std::string>{static_cast<int>(res.result_int()),
                                          std::move(res.body())};
  }

  net::awaitable<std::pair<int, std::string>> Get(const std::string& path) {
    if (options.tls) return GetOver<TlsStream>(path);
    return GetOver<beast::tcp_stream>(path);
  }

  net::awaitable<void> Snapshot() {
    auto [cs, channels] = co_await Get("/channels");
    auto [bs, bridges] = co_await Get("/bridges");
    if (cs == 200 && bs == 200) {
      sink.OnSnapshot(std::move(channels), std::move(bridges));
    } else {
      spdlog::error("ARI reconciliation failed: GET /ari/channels -> {}, GET /ari/bridges -> {}",
                    cs, bs);
    }
  }

  // One connection's life; returns why it ended and whether to back off at the cap.
  net::awaitable<std::pair<std::string, bool>> Connect() {
    if (!tls_setup_error.empty()) return Fail(tls_setup_error);
    if (options.tls) return ConnectOver<TlsStream>();
    return ConnectOver<beast::tcp_stream>();
  }

  static net::awaitable<std::pair<std::string, bool>> Fail(std::string reason) {
    co_return std::pair<std::string, bool>{std::move(reason), false};
  }

  template <class Stream>
  net::awaitable<std::pair<std::string, bool>> ConnectOver() {
    auto [status, info] = co_await GetOver<Stream>("/asterisk/info");
    if (status == 401)
      co_return std::pair<std::string, bool>{
          "ARI authentication failed (HTTP 401): check ARI_USER/ARI_PASSWORD", false};
    if (status != 200) {
      co_return std::pair<std::string, bool>{
          status == 0 ? info : "GET /ari/asterisk/info answered HTTP " + std::to_string(status),
          false};
    }
    auto socket = MakeStream<Stream, websocket::stream<Stream>>();
    if (std::string err = co_await Open(socket->next_layer()); !err.empty()) {
      co_return std::pair<std::string, bool>{err, false};
    }
    beast::get_lowest_layer(*socket).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options.connect_timeout;
    timeouts.idle_timeout = options.ping_interval;
    timeouts.keep_alive_pings = true;
    socket->set_option(timeouts);
    socket->read_message_max(options.max_frame_bytes);
    const std::string authorization = options.authorization;
    socket->set_option(
        websocket::stream_base::decorator([authorization](websocket::request_type& req) {
          req.set(http::field::user_agent, "call-ledgerd");
          if (!authorization.empty()) req.set(http::field::authorization, authorization);
        }));
    websocket::response_type response;
    auto [herr] = co_await socket->async_handshake(response, options.host + ":" + options.port,
                                                   options.events_target, kTuple);
    if (herr) {
      if (response.result_int() == 401) {
        co_return std::pair<std::string, bool>{
            "ARI authentication failed (HTTP 401) on the events WebSocket", false};
      }
      co_return std::pair<std::string, bool>{"WebSocket handshake: " + herr.message(), false};
    }
    close_live = [socket] { beast::get_lowest_layer(*socket).close(); };
    ++stats.connects;
    stats.connected = true;
    spdlog::info("Connected to Asterisk ARI WebSocket ({})", UrlForLogs());
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
      if (LeadingStringField(frame, "type", &type) && type == "ApplicationReplaced")
        replaced = true;
      sink.OnFrame(std::move(frame));
      if (replaced) {
        reason = "ApplicationReplaced: another client took the application name; backing off";
        beast::get_lowest_layer(*socket).close();
        break;
      }
    }
    stats.connected = false;
    close_live = nullptr;
    co_return std::pair<std::string, bool>{reason, replaced};
  }

  // The caller redacts (it knows which parts are secret); without its
  // version, the URL without the query, which is where api_key would be.
  std::string UrlForLogs() const {
    if (!options.url_for_logs.empty()) return options.url_for_logs;
    const std::string target = options.events_target.substr(0, options.events_target.find('?'));
    return std::string(options.tls ? "wss://" : "ws://") + options.host + ":" + options.port +
           target;
  }
};

AriClient::AriClient(net::io_context& io, ClientOptions options, ClientSink& sink)
    : impl_(std::make_unique<Impl>(io, std::move(options), sink, stats_)) {}

AriClient::~AriClient() = default;

std::string AriClient::EventsUrlForLogs() const { return impl_->UrlForLogs(); }

void AriClient::Stop() {
  impl_->stopping = true;
  net::post(impl_->io, [impl = impl_.get()] {
    if (impl->close_live) impl->close_live();
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
    const auto wait = std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(delay.count()) * jitter(d.rng)));
    spdlog::warn("ARI connection to {}:{} lost or refused: {}; retrying in {} ms", d.options.host,
                 d.options.port, reason, wait.count());
    d.backoff = std::make_shared<net::steady_timer>(d.io, wait);
    co_await d.backoff->async_wait(kTuple);
    d.backoff.reset();
    delay = std::min(delay * 2, d.options.reconnect_max);
  }
}

}  // namespace callledger::ari
