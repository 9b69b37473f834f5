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
#include <cstdint>
#include <fstream>
#include <utility>

#include "ari-sim/restamp.h"

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

EventStream::EventStream(net::io_context& io, Replay& replay, std::chrono::milliseconds lead_in,
                         bool restamp, std::vector<std::string> capture_names,
                         std::string stream_out, CelPlayback* cel)
    : io_(io),
      replay_(replay),
      cel_(cel),
      lead_in_(lead_in),
      restamp_(restamp),
      capture_names_(std::move(capture_names)),
      stream_out_(std::move(stream_out)),
      clock_(replay.clock(), lead_in) {
  wake_.emplace(io_);
}

std::optional<std::string> EventStream::Away(Clock::time_point now) const {
  if (!away_until_ || now >= *away_until_) return std::nullopt;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*away_until_ - now).count();
  return "the PBX is away after the drop after frame " + std::to_string(away_after_frame_) +
         " (realtime), for " + std::to_string(ms) + " ms more";
}

void EventStream::Restamp() {
  // The wall-clock time of offset 0 on the replay clock.
  const auto steady_now = Clock::now();
  const std::int64_t wall_now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  const std::int64_t start_wall_us =
      wall_now_us +
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.start() - steady_now).count();
  const std::vector<std::int64_t> shifts =
      CaptureShifts(replay_.frames(), replay_.offsets(), start_wall_us);
  replay_.Restamp(shifts);
  if (cel_ != nullptr) cel_->feed.Restamp(shifts);
  for (std::size_t i = 0; i < shifts.size(); ++i) {
    const std::int64_t ms = shifts[i] / 1000;
    Log("restamped capture " + std::to_string(i + 1) + " (" +
        (i < capture_names_.size() ? capture_names_[i] : std::string("?")) +
        "): every time moved by " + (ms >= 0 ? "+" : "") + std::to_string(ms) + " ms");
  }
}

void EventStream::WriteStreamOut() {
  std::ofstream out(stream_out_, std::ios::binary | std::ios::trunc);
  for (const StreamFrame& frame : replay_.frames()) out << frame.bytes << '\n';
  out.flush();
  if (!out) {
    Log("cannot write the stream to " + stream_out_);
    return;
  }
  Log("wrote the stream's " + std::to_string(replay_.frames().size()) + " frames to " +
      stream_out_);
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
  LogSkipped();
  if (!clock_.started()) {
    Log("stream started (" + std::to_string(replay_.frame_count()) + " frames" +
        (replay_.clock() == ClockMode::kRealtime ? ", realtime" : "") + ")");
  }
  const bool starting = !clock_.started();
  clock_.OnSubscribe(Clock::now());
  if (starting && restamp_) Restamp();
  if (starting && !stream_out_.empty()) WriteStreamOut();
  Log(who + " subscribed to app '" + session->app + "'; next frame " +
      (replay_.done() ? std::string("none (the stream has ended)")
                      : std::to_string(replay_.next_number())));
  Wake();
}

void EventStream::Unsubscribe(const std::shared_ptr<WsSession>& session) {
  if (sub_ != session) return;
  sub_.reset();
  Log("client " + std::to_string(session->id) + " disconnected; " +
      (replay_.clock() == ClockMode::kRealtime
           ? "the stream goes on (realtime): frames due meanwhile are not sent"
           : "the stream waits"));
  Wake();
}

void EventStream::Wake() { wake_->cancel(); }

net::awaitable<void> EventStream::SleepUntil(Clock::time_point when) {
  wake_->expires_at(when);
  co_await wake_->async_wait(kAwaitable);
}

StreamCues EventStream::Cues() const {
  StreamCues cues;
  cues.subscribed = sub_ != nullptr;
  if (!replay_.done()) {
    cues.frame = FrameCue{replay_.next_number(), replay_.next_offset(), replay_.next_unsendable()};
  }
  if (cel_ != nullptr && !cel_->feed.done()) cues.line = cel_->feed.next_cue();
  cues.reached = replay_.reached_offset();
  return cues;
}

net::awaitable<void> EventStream::Pump() {
  for (;;) {
    for (auto& old : replaced_) {
      StartGoodbye(old, ApplicationReplacedJson(old->app, replay_.CurrentTimestampText()));
    }
    replaced_.clear();
    LogEnds();

    const StreamStep step = clock_.Next(Clock::now(), Cues());
    switch (step.kind) {
      case StreamStep::Kind::kWait:
        co_await SleepUntil(step.until);
        break;
      case StreamStep::Kind::kAppendCel:
        AppendCel();
        break;
      case StreamStep::Kind::kSkip:
        SkipNext();
        break;
      case StreamStep::Kind::kSend:
        co_await SendNext();
        break;
    }
  }
}

void EventStream::LogEnds() {
  if (replay_.done() && !stream_end_logged_) {
    stream_end_logged_ = true;
    LogSkipped();
    Log("stream ended: " + std::to_string(replay_.frames_sent()) + " frames sent, " +
        std::to_string(replay_.frames_skipped()) + " skipped; REST goes on");
  }
  if (cel_ != nullptr && cel_->feed.done() && !cel_end_logged_) {
    cel_end_logged_ = true;
    Log("CEL: all " + std::to_string(cel_->feed.line_count()) + " lines written (" +
        std::to_string(cel_->writer.lines_appended()) + " appended to " + cel_->writer.path() +
        ")");
  }
}

void EventStream::SkipNext() {
  const std::uint64_t number = replay_.next_number();
  replay_.SkipNext();
  if (skipped_first_ == 0) skipped_first_ = number;
  skipped_last_ = number;
}

void EventStream::LogSkipped() {
  if (skipped_first_ == 0) return;
  Log("frames " + std::to_string(skipped_first_) + ".." + std::to_string(skipped_last_) +
      " were not sent: due with no client to send them to, in a drop's gap, or gone with a "
      "restarted Asterisk");
  skipped_first_ = skipped_last_ = 0;
}

void EventStream::AppendCel() {
  const std::size_t number = cel_->feed.written() + 1;
  if (Status s = cel_->writer.Append(cel_->feed.next_line()); !s.ok()) {
    Log("CEL line " + std::to_string(number) + " lost: " + s.message());
  }
  cel_->feed.Advance();
}

net::awaitable<void> EventStream::SendNext() {
  LogSkipped();
  replay_.ApplyNext();
  const std::shared_ptr<WsSession> target = sub_;
  auto [ec, bytes] = co_await target->With([this](auto& ws) {
    return ws.async_write(net::buffer(replay_.next_frame().bytes), kAwaitable);
  });
  if (ec) {
    Log("client " + std::to_string(target->id) + ": frame " +
        std::to_string(replay_.next_number()) + " not delivered (" + ec.message() + "); " +
        (replay_.clock() == ClockMode::kRealtime ? std::string("it is not sent again (realtime)")
                                                 : std::string("it goes to the next client")));
    if (sub_ == target) sub_.reset();
    co_return;
  }
  const Replay::Sent sent = replay_.MarkSent();
  if (sent.restart != nullptr) {
    Log("restart after frame " + std::to_string(sent.number) + ": closing client " +
        std::to_string(target->id) + "; Asterisk restarts " +
        std::to_string(sent.restart->restart.down.count()) +
        " ms later on the stream's clock: its channels and bridges are gone, and so are the "
        "frames that name them or fall in the down time");
    if (sub_ == target) sub_.reset();
    StartGoodbye(target, std::string());
    co_return;
  }
  if (sent.drop) {
    std::string what = "drop after frame " + std::to_string(sent.number) + ": closing client " +
                       std::to_string(target->id);
    if (sent.last_skipped >= sent.first_skipped) {
      what += ", skipping frames " + std::to_string(sent.first_skipped) + ".." +
              std::to_string(sent.last_skipped);
    }
    if (replay_.clock() == ClockMode::kRealtime) {
      const std::uint64_t last_hidden =
          sent.last_skipped >= sent.first_skipped ? sent.last_skipped : sent.number;
      away_after_frame_ = sent.number;
      away_until_ = clock_.start() + AwayUntil(replay_.offsets(), last_hidden, lead_in_);
      what +=
          "; the PBX is away (subscriptions refused) for " +
          std::to_string(
              std::chrono::ceil<std::chrono::milliseconds>(*away_until_ - Clock::now()).count()) +
          " ms";
    }
    Log(what);
    if (sub_ == target) sub_.reset();
    StartGoodbye(target, std::string());
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
