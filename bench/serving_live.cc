#include "serving_live.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "ari/frame_record.h"
#include "daemon/projection_loop.h"
#include "pg/pg_call_log_store.h"
#include "replay/synthetic.h"
#include "serving_http.h"

namespace callledger::bench {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kChanges = R"({"type":"changes")";
// The daemon's ingest appends at most this many records at once.
constexpr std::size_t kMaxBatch = 1000;
constexpr auto kTick = std::chrono::milliseconds(1);

std::int64_t SteadyUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}
std::int64_t WallUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The captured observer sessions, replicated with fresh ids up to `count`
// frames: every replica is a new set of calls (~95 frames each).
std::vector<std::string> Frames(std::size_t count) {
  std::vector<std::filesystem::path> files;
  const auto dir = std::filesystem::path(CALL_LEDGER_SOURCE_DIR) / "fixtures" / "asterisk";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().ends_with(".observer.jsonl")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> captured;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) captured.push_back(line);
    }
  }
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count && !captured.empty(); ++i) {
    out.push_back(replay::WithFreshIds(captured[i % captured.size()], i / captured.size() + 1));
  }
  return out;
}

// Append times by seq, written by the appender before the records exist
// and read by the client thread after they have travelled through the
// projection and the server.
class AppendTimes {
 public:
  explicit AppendTimes(std::size_t max_seq)
      : size_(max_seq + 1), us_(new std::atomic<std::int64_t>[max_seq + 1]) {
    for (std::size_t i = 0; i < size_; ++i) us_[i].store(0, std::memory_order_relaxed);
  }
  void Set(std::uint64_t seq, std::int64_t us) {
    if (seq < size_) us_[seq].store(us, std::memory_order_release);
  }
  std::int64_t Get(std::uint64_t seq) const {
    return seq < size_ ? us_[seq].load(std::memory_order_acquire) : 0;
  }

 private:
  std::size_t size_;
  std::unique_ptr<std::atomic<std::int64_t>[]> us_;
};

struct Client {
  explicit Client(net::io_context& io) : ws(io) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::atomic<std::uint64_t> changes{0};
  std::atomic<bool> ended{false};
  // Touched by the client thread only; read after it has been joined.
  std::vector<std::int32_t> latency_us;
  std::int64_t last_receipt_us = 0;
  std::uint64_t unmatched = 0;
};

// Counts the changes of one message and times each upserted row. A plain
// scan rather than a JSON parse, so the 100 clients sharing a core with the
// server cost it as little as possible; the patterns cannot occur inside a
// JSON string value, where '"' is always escaped.
void Consume(Client& c, std::string_view text, std::int64_t now_us, const AppendTimes& times) {
  if (!text.starts_with(kChanges)) return;
  std::uint64_t n = 0;
  for (auto at = text.find(R"({"op":")"); at != std::string_view::npos;
       at = text.find(R"({"op":")", at + 1)) {
    ++n;
  }
  constexpr std::string_view kLastSeq = R"("last_seq":)";
  for (auto at = text.find(kLastSeq); at != std::string_view::npos;
       at = text.find(kLastSeq, at + 1)) {
    std::uint64_t seq = 0;
    const char* begin = text.data() + at + kLastSeq.size();
    std::from_chars(begin, text.data() + text.size(), seq);
    const std::int64_t appended = times.Get(seq);
    if (appended == 0) {
      ++c.unmatched;
      continue;
    }
    c.latency_us.push_back(static_cast<std::int32_t>(now_us - appended));
  }
  c.last_receipt_us = now_us;
  c.changes.fetch_add(n, std::memory_order_relaxed);
}

void ReadNext(Client& c, const AppendTimes& times) {
  c.ws.async_read(c.buffer, [&c, &times](beast::error_code ec, std::size_t) {
    const std::int64_t now = SteadyUs();
    if (ec) {
      c.ended = true;
      return;
    }
    const auto data = c.buffer.cdata();
    Consume(c, std::string_view(static_cast<const char*>(data.data()), data.size()), now, times);
    c.buffer.consume(c.buffer.size());
    ReadNext(c, times);
  });
}

// Opens the WebSocket and reads the snapshot; returns its number of calls.
Result<std::size_t> Open(Client& c, const LiveOptions& o) {
  beast::error_code ec;
  beast::get_lowest_layer(c.ws).connect(tcp::endpoint(net::ip::make_address(o.host), o.port), ec);
  if (!ec) beast::get_lowest_layer(c.ws).socket().set_option(tcp::no_delay(true), ec);
  if (!ec) c.ws.handshake(o.host + ":" + std::to_string(o.port), "/api/live", ec);
  if (!ec) c.ws.read(c.buffer, ec);
  if (ec) return Unavailable("live client: " + ec.message());
  const auto data = c.buffer.cdata();
  const std::string_view text(static_cast<const char*>(data.data()), data.size());
  if (!text.starts_with(R"({"type":"snapshot")")) {
    return Internal("live client: the first message is not a snapshot");
  }
  std::size_t calls = 0;
  for (auto at = text.find(R"("call_id":)"); at != std::string_view::npos;
       at = text.find(R"("call_id":)", at + 1)) {
    ++calls;
  }
  c.buffer.consume(c.buffer.size());
  return calls;
}

Result<std::unique_ptr<CallLogStore>> OpenStore(const std::string& dsn) {
  pg::PgOptions options;
  options.application_name = "serving-bench-projection";
  ASSIGN_OR_RETURN(auto store, pg::PgCallLogStore::Open(dsn, options));
  return std::unique_ptr<CallLogStore>(std::move(store));
}

}  // namespace

Result<LiveReport> RunLiveFanOut(const LiveOptions& o, store::RocksEventLog& log,
                                 server::HttpServer& server, MetricsRegistry& metrics) {
  LiveReport report;
  const auto total = static_cast<std::size_t>(o.rate * o.seconds);
  const std::vector<std::string> frames = Frames(total);
  if (frames.size() != total) return Internal("no captured observer frames");
  const std::uint64_t first_seq = log.Head().seq.value + 1;
  AppendTimes times(first_seq + total);

  // The daemon's projection, publishing to the server as call-ledgerd does.
  std::atomic<std::uint64_t> batches{0}, changes{0};
  std::mutex ids_mu;
  std::unordered_set<std::string> ids;
  daemon::ProjectionLoopOptions loop_options;
  loop_options.on_committed = [&](Seq checkpoint, const std::vector<RowChange>& batch) {
    server.Publish(checkpoint, batch);
    ++batches;
    changes += batch.size();
    std::lock_guard lock(ids_mu);
    for (const RowChange& c : batch) ids.insert(c.row.call_id);
  };
  daemon::ProjectionLoop loop(
      log, [&o] { return OpenStore(o.dsn); }, loop_options);
  loop.Start();

  net::io_context io;
  std::vector<std::unique_ptr<Client>> clients;
  for (std::size_t i = 0; i < o.clients; ++i) {
    clients.push_back(std::make_unique<Client>(io));
    ASSIGN_OR_RETURN(const auto calls, Open(*clients.back(), o));
    if (i == 0) report.snapshot_calls = calls;
  }
  report.clients = clients.size();
  for (auto& c : clients) ReadNext(*c, times);
  std::thread reader([&io] { io.run(); });

  // Paced appends: every tick, the frames due by then, as one batch.
  ari::FrameParser parser;
  std::vector<RecordDraft> drafts;
  std::uint64_t next_seq = first_seq;
  std::size_t sent = 0;
  Status failed;
  const auto start = Clock::now();
  const std::int64_t start_us = SteadyUs();
  std::int64_t last_append_us = start_us;
  for (std::int64_t tick = 1; sent < total && failed.ok(); ++tick) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const std::size_t due =
        std::min({total, static_cast<std::size_t>(o.rate * elapsed) + 1, sent + kMaxBatch});
    drafts.clear();
    for (; sent < due; ++sent)
      drafts.push_back(ari::DraftFromFrame(parser, frames[sent], WallUs()));
    if (!drafts.empty()) {
      last_append_us = SteadyUs();
      for (std::size_t k = 0; k < drafts.size(); ++k) times.Set(next_seq + k, last_append_us);
      auto appended = log.Append(drafts);
      if (!appended.ok()) {
        failed = appended.status();
      } else if (appended->first.value != next_seq) {
        failed = Internal("the ledger had another writer");
      } else {
        next_seq = appended->last.value + 1;
        loop.Notify();
      }
    }
    std::this_thread::sleep_until(start + tick * kTick);
  }
  report.frames = sent;
  report.append_seconds = static_cast<double>(last_append_us - start_us) / 1e6;

  // Everything projected, then everything delivered (or given up on).
  const std::uint64_t head = log.Head().seq.value;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (failed.ok() && loop.stats().checkpoint.load() < head && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (failed.ok() && loop.stats().checkpoint.load() < head) {
    failed = Unavailable("the projection did not catch up within 60 s");
  }
  const auto all_delivered = [&] {
    for (const auto& c : clients) {
      if (!c->ended && c->changes.load() < changes.load()) return false;
    }
    return true;
  };
  const auto delivery_deadline = Clock::now() + std::chrono::seconds(30);
  while (!all_delivered() && Clock::now() < delivery_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  report.slow_disconnects =
      metrics
          .GetCounter("call_ledger_live_slow_disconnects_total",
                      "Live clients disconnected because their queue was full (too slow).")
          .Value();
  // Connections that ended before we close them were dropped by the server.
  for (const auto& c : clients) report.clients_dropped += c->ended.load() ? 1 : 0;

  net::post(io, [&clients] {
    for (auto& c : clients) {
      beast::error_code ignored;
      beast::get_lowest_layer(c->ws).socket().close(ignored);
    }
  });
  reader.join();
  loop.Stop();
  RETURN_IF_ERROR(failed);

  report.published_batches = batches.load();
  report.published_changes = changes.load();
  report.calls_changed = ids.size();
  report.min_client_changes = UINT64_MAX;
  std::vector<double> ms;
  std::int64_t last_receipt = start_us;
  for (const auto& c : clients) {
    const std::uint64_t n = c->changes.load();
    report.min_client_changes = std::min(report.min_client_changes, n);
    report.max_client_changes = std::max(report.max_client_changes, n);
    report.delivered_changes += n;
    report.unmatched_seqs += c->unmatched;
    last_receipt = std::max(last_receipt, c->last_receipt_us);
    for (std::int32_t us : c->latency_us) ms.push_back(us / 1000.0);
  }
  report.delivery_seconds = static_cast<double>(last_receipt - start_us) / 1e6;
  const LatencySummary latency = Summarize(std::move(ms));
  report.latency_samples = latency.n;
  report.p50_ms = latency.p50_ms;
  report.p99_ms = latency.p99_ms;
  report.max_ms = latency.max_ms;
  return report;
}

}  // namespace callledger::bench
