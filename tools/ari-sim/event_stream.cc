// The /ari/events clients and the pump (event_stream.h); one of ari-sim's
// two Beast translation units (sim_connection.h).
#include "ari-sim/event_stream.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <utility>

namespace callledger::arisim {
namespace {

// ARI clients send nothing but the upgrade request and control frames.
constexpr std::size_t kMaxClientMessageBytes = 64 * 1024;

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

}  // namespace

EventStream::EventStream(net::io_context& io, Replay& replay, std::chrono::milliseconds lead_in)
    : io_(io), replay_(replay), lead_in_(lead_in) {
  wake_.emplace(io_);
}

void EventStream::ReleaseIo() {
  sub_.reset();
  replaced_.clear();
  wake_.reset();
}

net::awaitable<void> EventStream::Serve(std::shared_ptr<WsSession> session,
                                        http::request<http::string_body> request,
                                        std::string peer) {
  const bool accepted = co_await session->With([&](auto& ws) { return Accept(ws, request, peer); });
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

template <class Ws>
net::awaitable<bool> EventStream::Accept(Ws& ws, const http::request<http::string_body>& request,
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

void EventStream::Subscribe(const std::shared_ptr<WsSession>& session) {
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

void EventStream::Unsubscribe(const std::shared_ptr<WsSession>& session) {
  if (sub_ != session) return;
  sub_.reset();
  Log("client " + std::to_string(session->id) + " disconnected; the stream waits");
  Wake();
}

void EventStream::Wake() { wake_->cancel(); }

net::awaitable<void> EventStream::SleepUntil(Clock::time_point when) {
  wake_->expires_at(when);
  co_await wake_->async_wait(kAwaitable);
}

net::awaitable<void> EventStream::Pump() {
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
      start = now + lead_in_;
      Log("stream started (" + std::to_string(replay_.frame_count()) + " frames)");
    } else if (paused) {
      start = std::max(*start, now + lead_in_ - replay_.next_offset());
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

void EventStream::StartGoodbye(const std::shared_ptr<WsSession>& session,
                               std::string last_message) {
  if (session->closing) return;
  session->closing = true;
  net::co_spawn(io_, Goodbye(session, std::move(last_message)), LogException);
}

net::awaitable<void> EventStream::Goodbye(std::shared_ptr<WsSession> session,
                                          std::string last_message) {
  if (!last_message.empty()) {
    auto [ec, bytes] = co_await session->With(
        [&](auto& ws) { return ws.async_write(net::buffer(last_message), kAwaitable); });
    if (ec) co_return;
  }
  auto [ec] = co_await session->With(
      [](auto& ws) { return ws.async_close(websocket::close_code::normal, kAwaitable); });
  (void)ec;  // the client may already be gone; nothing else to do
}

}  // namespace callledger::arisim
