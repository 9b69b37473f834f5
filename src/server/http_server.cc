// HttpServer: the parts of http_server.h put together. The work is done by
// the listener (http_listener.h), one coroutine per HTTP connection
// (http_session.h), one per live feed client (live_session.h), and the state
// they share (server_state.h: registries, metrics, the worker pool); this
// file owns the io_context and its thread, and starts and stops them.
#include "server/http_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <thread>

#include "server/http_listener.h"
#include "server/live_feed.h"
#include "server/server_state.h"

namespace callledger::server {

// How long Stop() lets connections end by themselves once their sockets are
// closed, before it stops the io_context under them.
constexpr std::chrono::seconds kStopGrace{3};

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpServerDeps deps)
      : state_(std::move(options), std::move(deps)) {}

  ~Impl() { Stop(); }

  Result<std::string> Start() {
    ASSIGN_OR_RETURN(std::string bound, listener_.Listen());
    listener_.Start();
    thread_ = std::thread([this] {
      try {
        io_.run();
      } catch (const std::exception& e) {
        spdlog::critical("http server stopped by an exception: {}", e.what());
      }
      finished_.set_value();
    });
    started_ = true;
    return bound;
  }

  void Stop() {
    if (!started_ || state_.BeginStop()) return;
    net::post(io_, [this] {
      listener_.Close();
      state_.CloseAll();
    });
    // Connections end within moments once their sockets are closed; a
    // database read in flight is bounded by its statement timeout.
    if (finished_.get_future().wait_for(kStopGrace) != std::future_status::ready) io_.stop();
    thread_.join();
    state_.workers().Join();
  }

  void Publish(Seq checkpoint, const std::vector<RowChange>& changes) {
    if (!started_ || state_.live_clients() == 0) return;
    auto message = std::make_shared<const std::string>(ChangesMessage(checkpoint, changes));
    net::post(io_, [this, checkpoint, message] { state_.Broadcast(checkpoint, message); });
  }

 private:
  ServerState state_;
  bool started_ = false;
  std::promise<void> finished_;
  std::thread thread_;
  // After the state, so that it goes first: coroutine frames still pending
  // when it is destroyed refer to the state.
  net::io_context io_{1};
  HttpListener listener_{io_, state_};
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
