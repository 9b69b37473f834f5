#include "server/server_state.h"

#include "server/live_session.h"

namespace callledger::server {

ServerState::ServerState(HttpServerOptions options, HttpServerDeps deps)
    : options_(std::move(options)),
      deps_(std::move(deps)),
      workers_(options_.db_workers, deps_.make_reader) {
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

void ServerState::AddConnection(beast::tcp_stream& stream) {
  ++connections_;
  open_.insert(&stream);
}

void ServerState::RemoveConnection(beast::tcp_stream& stream) {
  open_.erase(&stream);
  --connections_;
}

void ServerState::AddLive(const std::shared_ptr<LiveSession>& session) {
  live_.insert(session);
  ++live_count_;
}

void ServerState::RemoveLive(const std::shared_ptr<LiveSession>& session) {
  live_.erase(session);
  --live_count_;
}

void ServerState::Broadcast(Seq checkpoint, const std::shared_ptr<const std::string>& message) {
  for (const auto& session : live_) session->Enqueue(checkpoint, message);
}

void ServerState::CloseAll() {
  boost::system::error_code ignored;
  for (beast::tcp_stream* stream : open_) stream->socket().close(ignored);
  for (const auto& session : live_) session->Close();
}

void ServerState::CountRequest(const std::string& route, int status,
                               std::optional<std::chrono::steady_clock::time_point> start) {
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

}  // namespace callledger::server
