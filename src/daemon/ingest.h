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
// fails (a full disk: store/rocks_event_log.h) is retried with backoff
// (retry_initial doubling up to retry_max) until it succeeds, the same
// batch again, while frames keep being queued behind it: nothing accepted
// into the queue is dropped while the process lives, and Stop() gives up on
// what is still not appended after a few seconds. So during a long outage
// memory holds at most one batch (batch_records), queue_frames frames and a
// few gap, reconcile and evidence records; later frames are dropped and
// counted as on any full queue. The outage is logged once when it begins,
// at most once a minute while it lasts and once when it ends
// (daemon/append_outage.h).
//
// The daemon's clock stamps received_at_us and the gap/reconcile times;
// those times are recorded in the ledger, so the projector never reads a
// clock (invariant 1).
//
// Gap windows (cel/gap_windows.h): when the record that closes a gap's
// window (its reconcile; an overflow gap itself) has been appended, the
// window goes to SetOnGapWindow's callback, on the appender thread (the CEL
// collector queues it and returns). The first connection's window begins
// at the last record heard from Asterisk before Start(). Evidence records
// read for a window (PushEvidence) are appended after what was queued
// before them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ari/client.h"
#include "ari/frame_parser.h"
#include "cel/gap_windows.h"
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
  // Called once (from the appender thread) when an append answers
  // kAborted: the ledger takes no records in this process any more
  // (store/rocks_event_log.h), so the daemon must stop and start again.
  // Set before Start(); must not block.
  void SetOnLedgerLost(std::function<void(const Status&)> f) { on_ledger_lost_ = std::move(f); }
  // Called (from the appender thread) with each gap's window once the
  // record closing it is appended. Set before Start(); must not block.
  void SetOnGapWindow(std::function<void(cel::GapWindow)> f) { on_gap_window_ = std::move(f); }

  // A record the daemon read as evidence (a `cel` record), appended after
  // everything queued before it; never dropped. Waits while
  // kMaxPendingEvidence such records are still queued, so a large window
  // cannot grow the queue's memory: call it from a thread of its own, never
  // from the network or appender thread. False once Stop() was called.
  static constexpr std::size_t kMaxPendingEvidence = 4;
  bool PushEvidence(RecordDraft draft);
  // From now on PushEvidence queues at once, however many are queued: at
  // shutdown the collector hands over its last windows without waiting on
  // a ledger that may not be taking records (Stop() then gives up on them
  // after its deadline, as on any record). Call before stopping the
  // collector.
  void StopEvidenceWaits();

  // ari::ClientSink: never blocks.
  void OnConnected(const std::string& asterisk_info) override;
  void OnSnapshot(std::string channels_json, std::string bridges_json) override;
  void OnFrame(std::string frame) override;
  void OnDisconnected(const std::string& reason) override;

  const IngestStats& stats() const { return stats_; }

 private:
  struct Item {
    enum class Type : std::uint8_t { kDraft, kFrame, kSnapshot, kEvidence };
    enum class Gap : std::uint8_t { kNone, kConnection, kOverflow };
    Type type = Type::kDraft;
    Gap gap = Gap::kNone;       // kDraft: which gap it is (its window)
    std::int64_t since_us = 0;  // kDraft gaps: the gap's since_us
    RecordDraft draft;          // kDraft: a gap, ready; kEvidence: a cel record
    std::string frame;          // kFrame: to parse on the appender thread;
                                // kSnapshot: the body of GET /ari/channels
    std::string bridges;        // kSnapshot: the body of GET /ari/bridges
    std::int64_t received_at_us = 0;
  };
  bool Push(Item item, bool droppable);
  void Loop();
  // The windows the item closes, in append order (gap_windows_).
  void TrackWindows(const Item& item, std::vector<cel::GapWindow>& closed);
  std::int64_t Now() const;
  std::size_t QueuedItems();

  EventLog& log_;
  IngestOptions options_;
  IngestStats stats_;
  std::function<void(Seq)> on_appended_;
  std::function<void(const Status&)> on_ledger_lost_;
  std::function<void(cel::GapWindow)> on_gap_window_;
  std::optional<cel::GapWindows> gap_windows_;  // appender thread only, from Start()

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::size_t pending_evidence_ = 0;     // kEvidence items queued
  bool evidence_waits_ = true;           // PushEvidence waits while enough are queued
  std::condition_variable evidence_cv_;  // pending_evidence_ went down, or stopping
  std::uint64_t overflowed_ = 0;         // dropped since the last overflow gap
  std::int64_t overflow_since_us_ = 0;   // when the first of those was dropped
  std::string disconnect_reason_ = "daemon started";
  std::int64_t disconnected_at_us_ = 0;
  std::thread thread_;
};

}  // namespace callledger::daemon
