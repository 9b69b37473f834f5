#include "server/live_session.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/websocket.hpp>

#include "server/http_response.h"
#include "server/live_feed.h"
#include "server/server_state.h"

namespace callledger::server {

namespace websocket = beast::websocket;

// A client sends nothing but control frames; anything bigger is not one of ours.
constexpr std::size_t kMaxClientMessageBytes = 4096;

awaitable<void> LiveSession::Serve(ServerState& state, beast::tcp_stream stream, Request req) {
  if (state.LiveFull()) {
    HttpResponse r = ErrorResponse(503, "too many live clients");
    co_await WriteResponse(stream, r, req.version(), false, state.limits().write_timeout);
    co_return;
  }
  stream.expires_never();  // from here on the WebSocket's own timeouts apply
  auto session = std::make_shared<LiveSession>(state, std::move(stream));
  co_await session->Run(std::move(req));
}

LiveSession::LiveSession(ServerState& state, beast::tcp_stream stream)
    : state_(state), ws_(std::move(stream)), wake_(ws_.get_executor()) {}

awaitable<void> LiveSession::Run(Request req) {
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = state_.limits().request_timeout;
  timeouts.idle_timeout = state_.limits().idle_timeout;  // pings at half of it
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(kMaxClientMessageBytes);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "call-ledgerd"); }));
  if (auto [ec] = co_await ws_.async_accept(req, kTuple); ec) co_return;
  const std::shared_ptr<LiveSession> self = shared_from_this();
  state_.AddLive(self);
  net::co_spawn(ws_.get_executor(), ReadUntilClosed(self), net::detached);

  const std::string& node = state_.options().node;
  auto snapshot =
      co_await state_.workers().Run([&node](CallLogReader& reader) { return reader.Live(node); });
  Seq after{0};
  if (!snapshot.ok()) {
    spdlog::warn("live feed: no snapshot for a client: {}", snapshot.status().ToString());
    closed_ = true;
  } else {
    after = snapshot->checkpoint;
    ws_.text(true);
    const std::string message = SnapshotMessage(*snapshot);
    auto [ec, n] = co_await ws_.async_write(net::buffer(message), kTuple);
    if (ec) closed_ = true;
  }
  co_await WriteQueue(after);
  // Without a snapshot the client is told to come back later; at a stop, that
  // the server is going away. Otherwise the client or its socket ended it.
  if (!snapshot.ok() || state_.stopping()) {
    const auto code = state_.stopping() ? websocket::close_code::going_away
                                        : websocket::close_code::try_again_later;
    co_await ws_.async_close(websocket::close_reason(code), kTuple);
  }
  Close();
  state_.RemoveLive(self);
}

awaitable<void> LiveSession::WriteQueue(Seq after) {
  while (!closed_ && !state_.stopping()) {
    if (queue_.empty()) {
      wake_.expires_at(net::steady_timer::time_point::max());
      co_await wake_.async_wait(kTuple);
      continue;
    }
    auto [seq, message] = std::move(queue_.front());
    queue_.pop_front();
    if (seq <= after) continue;  // already in the snapshot
    auto [ec, n] = co_await ws_.async_write(net::buffer(*message), kTuple);
    if (ec) break;
    state_.CountLiveMessage();
  }
}

awaitable<void> LiveSession::ReadUntilClosed(std::shared_ptr<LiveSession> self) {
  beast::flat_buffer buffer;
  while (true) {
    auto [ec, n] = co_await self->ws_.async_read(buffer, kTuple);
    if (ec) break;
    buffer.consume(buffer.size());  // clients have nothing to say
  }
  self->closed_ = true;
  self->wake_.cancel();
}

void LiveSession::Enqueue(Seq seq, const std::shared_ptr<const std::string>& message) {
  if (closed_) return;
  if (queue_.size() >= state_.limits().live_queue_messages) {
    state_.CountSlowClient();
    spdlog::warn("live feed: a client fell {} messages behind; disconnected", queue_.size());
    Close();
    return;
  }
  queue_.emplace_back(seq, message);
  wake_.cancel();
}

void LiveSession::Close() {
  closed_ = true;
  queue_.clear();
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  wake_.cancel();
}

}  // namespace callledger::server
