// Ingest: what the ARI client hands over, into the ledger, without ever
// making the client wait (DESIGN invariant 5).
//
// The client's callbacks (on the network thread) only push into a bounded
// queue. An appender thread drains it in batches: frames become `ari_event`
// or `malformed` records (invariant 6), each (re)connection a `gap` record,
// each REST snapshot a `reconcile` record (DESIGN 4.3; a REST body that is
// not JSON is kept as a `malformed` record instead, and logged). The
// payloads are payload/'s (gap.h, reconcile.h). When the queue is
// full the frame is counted and dropped, and a `gap` record with reason
// `overflow` says how many before the next frame that fits. An Append that
// fails is retried (with backoff) until it succeeds or Stop() is called:
// nothing accepted into the queue is dropped while the process lives.
//
// The daemon's clock stamps received_at_us and the gap/reconcile times;
// those times are recorded in the ledger, so the projector never reads a
// clock (invariant 1).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "ari/client.h"
#include "ari/frame_parser.h"
#include "core/event_log.h"
#include "core/metrics.h"

namespace callledger::daemon {

struct IngestOptions {
  std::size_t queue_frames = 65536;  // bounded queue, in items
  std::size_t batch_records = 1000;  // records per Append at most
  ari::FrameLimits limits;
  std::chrono::milliseconds retry_initial{50};
  std::chrono::milliseconds retry_max{2000};
  // The clock for received_at and gap/reconcile times (tests inject one).
  std::function<std::int64_t()> clock;
  // Frames by type and append latency go here when set (not owned).
  MetricsRegistry* metrics = nullptr;
};

struct IngestStats {
  std::atomic<std::uint64_t> frames{0};    // accepted into the queue
  std::atomic<std::uint64_t> dropped{0};   // queue full
  std::atomic<std::uint64_t> appended{0};  // records appended
  std::atomic<std::uint64_t> gaps{0};
  std::atomic<std::uint64_t> reconciles{0};  // reconcile records made (bodies were JSON)
  std::atomic<std::uint64_t> malformed{0};
  std::atomic<std::uint64_t> append_errors{0};
  std::atomic<std::uint64_t> head{0};      // last appended seq
  std::atomic<std::uint64_t> connects{0};  // ARI (re)connections
  std::atomic<bool> connected{false};      // ARI connected now
  std::atomic<bool> last_append_ok{true};  // the ledger took the last batch
};

class Ingest final : public ari::ClientSink {
 public:
  Ingest(EventLog& log, IngestOptions options);
  ~Ingest() override;

  void Start();
  // Stops accepting, appends what is queued, fsyncs. Idempotent.
  void Stop();
  // Called after each successful Append (from the appender thread).
  void SetOnAppended(std::function<void(Seq head)> f) { on_appended_ = std::move(f); }

  // ari::ClientSink: never blocks.
  void OnConnected(const std::string& asterisk_info) override;
  void OnSnapshot(std::string channels_json, std::string bridges_json) override;
  void OnFrame(std::string frame) override;
  void OnDisconnected(const std::string& reason) override;

  const IngestStats& stats() const { return stats_; }

 private:
  struct Item {
    enum class Type : std::uint8_t { kDraft, kFrame, kSnapshot };
    Type type = Type::kDraft;
    RecordDraft draft;    // kDraft: a gap, ready
    std::string frame;    // kFrame: to parse on the appender thread;
                          // kSnapshot: the body of GET /ari/channels
    std::string bridges;  // kSnapshot: the body of GET /ari/bridges
    std::int64_t received_at_us = 0;
  };
  bool Push(Item item, bool droppable);
  void Loop();
  std::int64_t Now() const;

  EventLog& log_;
  IngestOptions options_;
  IngestStats stats_;
  std::function<void(Seq)> on_appended_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::uint64_t overflowed_ = 0;        // dropped since the last overflow gap
  std::int64_t overflow_since_us_ = 0;  // when the first of those was dropped
  std::string disconnect_reason_ = "daemon started";
  std::int64_t disconnected_at_us_ = 0;
  std::thread thread_;
};

}  // namespace callledger::daemon
