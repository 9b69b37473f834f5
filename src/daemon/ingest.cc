#include "daemon/ingest.h"

#include <map>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <vector>

#include "ari/frame_record.h"
#include "daemon/append_outage.h"
#include "payload/gap.h"
#include "payload/reconcile.h"

namespace callledger::daemon {
namespace json = boost::json;
namespace {

// How long a shutdown keeps retrying a failing Append (SIGTERM must end the
// daemon within 5 s).
constexpr std::chrono::milliseconds kShutdownRetry{3000};

std::int64_t WallClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The operators' first question after "is it connected?".
void LogAsterisk(const std::string& asterisk_info) {
  json::error_code ec;
  const json::value info = json::parse(asterisk_info, ec);
  if (ec || !info.is_object()) return;
  const auto* system = info.as_object().if_contains("system");
  const auto* version = system != nullptr && system->is_object()
                            ? system->as_object().if_contains("version")
                            : nullptr;
  const auto* entity = system != nullptr && system->is_object()
                           ? system->as_object().if_contains("entity_id")
                           : nullptr;
  spdlog::info("Asterisk {} (entity {})",
               version != nullptr && version->is_string() ? std::string(version->as_string()) : "?",
               entity != nullptr && entity->is_string() ? std::string(entity->as_string()) : "?");
}

// The two REST bodies as one reconcile record (appended to `drafts`), and
// true. A reconcile embeds them byte for byte, so both must be JSON; a body
// that is not is kept as a malformed record instead (invariant 6), and this
// connection gets no reconcile (false).
bool SnapshotDrafts(std::string channels, std::string bridges, std::int64_t at_us,
                    std::vector<RecordDraft>& drafts) {
  const Status channels_ok = payload::JsonText::Check(channels);
  const Status bridges_ok = payload::JsonText::Check(bridges);
  if (channels_ok.ok() && bridges_ok.ok()) {
    payload::ReconcilePayload reconcile{payload::JsonText::Verbatim(std::move(channels)).value(),
                                        payload::JsonText::Verbatim(std::move(bridges)).value()};
    drafts.push_back(payload::ReconcileDraft(reconcile, at_us));
    return true;
  }
  const auto keep = [&](std::string_view request, std::string& body, const Status& why) {
    if (why.ok()) return;
    spdlog::error(
        "ARI reconciliation failed: {} answered with {} ({} bytes, kept as a malformed record)",
        request, why.message(), body.size());
    drafts.push_back(payload::UnusableBodyDraft(request, std::move(body), why.message(), at_us));
  };
  keep("GET /ari/channels", channels, channels_ok);
  keep("GET /ari/bridges", bridges, bridges_ok);
  return false;
}

}  // namespace

Ingest::Ingest(EventLog& log, IngestOptions options) : log_(log), options_(std::move(options)) {
  if (!options_.clock) options_.clock = WallClockMicros;
  if (options_.queue_frames == 0) options_.queue_frames = 1;
  if (options_.batch_records == 0) options_.batch_records = 1;
}

Ingest::~Ingest() { Stop(); }

std::int64_t Ingest::Now() const { return options_.clock(); }

std::size_t Ingest::QueuedItems() {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void Ingest::Start() {
  if (thread_.joinable()) return;
  // Where the first connection's window begins (gap_windows.h).
  Result<std::optional<cel::HeardAt>> heard = cel::LastHeardFromAsterisk(log_);
  if (!heard.ok()) {
    spdlog::warn(
        "cannot tell when Asterisk was last heard before this run ({}): the first gap's "
        "window begins at this connection",
        heard.status().ToString());
  }
  gap_windows_.emplace(heard.ok() ? *heard : std::nullopt);
  thread_ = std::thread([this] { Loop(); });
}

void Ingest::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  evidence_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (Status s = log_.Sync(); !s.ok())
    spdlog::error("ledger fsync at shutdown failed: {}", s.ToString());
}

bool Ingest::Push(Item item, bool droppable) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    if (droppable && queue_.size() >= options_.queue_frames) {
      if (overflowed_ == 0) overflow_since_us_ = item.received_at_us;
      ++overflowed_;
      ++stats_.dropped;
      return false;
    }
    if (overflowed_ > 0 && queue_.size() < options_.queue_frames) {
      // Say what the full queue cost before the first frame that fits.
      const std::uint64_t lost = overflowed_;
      overflowed_ = 0;
      payload::GapPayload overflow;
      overflow.reason = payload::GapReasonOverflow(lost);
      overflow.since_us = overflow_since_us_;
      overflow.until_us = item.received_at_us;
      overflow.lost_frames = lost;
      Item gap;
      gap.gap = Item::Gap::kOverflow;
      gap.since_us = overflow.since_us;
      gap.draft = payload::GapDraft(overflow);
      queue_.push_back(std::move(gap));
      ++stats_.gaps;
    }
    queue_.push_back(std::move(item));
  }
  cv_.notify_one();
  return true;
}

void Ingest::OnConnected(const std::string& asterisk_info) {
  ++stats_.connects;
  stats_.connected = true;
  const std::int64_t now = Now();
  payload::GapPayload gap;
  {
    std::lock_guard lock(mu_);
    gap.reason = payload::GapReasonConnected(disconnect_reason_);
    gap.since_us = disconnected_at_us_;
  }
  gap.until_us = now;
  // The Asterisk the daemon talks to, for auditors: kept when it is JSON.
  if (auto info = payload::JsonText::Compact(asterisk_info); info.ok()) {
    gap.asterisk_info = std::move(info.value());
  }
  LogAsterisk(asterisk_info);
  Item item;
  item.gap = Item::Gap::kConnection;
  item.since_us = gap.since_us;
  item.draft = payload::GapDraft(gap);
  item.received_at_us = now;
  if (Push(std::move(item), false)) ++stats_.gaps;
}

bool Ingest::PushEvidence(RecordDraft draft) {
  {
    std::unique_lock lock(mu_);
    evidence_cv_.wait(lock, [&] {
      return stopping_ || !evidence_waits_ || pending_evidence_ < kMaxPendingEvidence;
    });
    if (stopping_) return false;
    Item item;
    item.type = Item::Type::kEvidence;
    item.draft = std::move(draft);
    queue_.push_back(std::move(item));
    ++pending_evidence_;
  }
  cv_.notify_one();
  return true;
}

void Ingest::StopEvidenceWaits() {
  {
    std::lock_guard lock(mu_);
    evidence_waits_ = false;
  }
  evidence_cv_.notify_all();
}

void Ingest::TrackWindows(const Item& item, std::vector<cel::GapWindow>& closed) {
  std::optional<cel::GapWindow> window;
  if (item.type == Item::Type::kSnapshot) {
    window = gap_windows_->OnSnapshot(item.received_at_us);
  } else if (item.gap == Item::Gap::kConnection) {
    gap_windows_->OnConnectionGap(item.since_us, item.draft.event_time_us);
  } else if (item.gap == Item::Gap::kOverflow) {
    window = gap_windows_->OnOverflowGap(item.since_us, item.draft.event_time_us);
  }
  if (window) closed.push_back(std::move(*window));
}

void Ingest::OnSnapshot(std::string channels_json, std::string bridges_json) {
  Item item;
  item.type = Item::Type::kSnapshot;
  item.received_at_us = Now();
  item.frame = std::move(channels_json);
  item.bridges = std::move(bridges_json);
  Push(std::move(item), false);
}

void Ingest::OnFrame(std::string frame) {
  Item item;
  item.type = Item::Type::kFrame;
  item.received_at_us = Now();
  item.frame = std::move(frame);
  if (Push(std::move(item), true)) ++stats_.frames;
}

void Ingest::OnDisconnected(const std::string& reason) {
  const bool was_connected = stats_.connected.exchange(false);
  std::lock_guard lock(mu_);
  // The gap begins when the connection ended, the last moment heard from
  // Asterisk, and says why it ended; a failed attempt to reconnect
  // (refused, unreachable) changes neither, or the gap's CEL window would
  // miss the first part of a long outage and its reason would hide why
  // the frames stopped (a drop, the daemon's start). Before the run's first
  // connection the gap begins before the run (since_us stays 0) and its
  // reason stays "daemon started".
  if (!was_connected) return;
  disconnect_reason_ = reason;
  disconnected_at_us_ = Now();
}

void Ingest::Loop() {
  ari::FrameParser parser(options_.limits);
  // Metrics, looked up once per event type (the registry locks).
  std::map<std::string, Counter*, std::less<>> frames_by_type;
  Histogram* append_latency =
      options_.metrics ? &options_.metrics->GetHistogram("call_ledger_append_seconds",
                                                         "Time to append one batch to the ledger.")
                       : nullptr;
  const auto count_frame = [&](const RecordDraft& draft) {
    if (!options_.metrics) return;
    const std::string_view type = draft.kind == RecordKind::kMalformed
                                      ? std::string_view("(malformed)")
                                      : std::string_view(draft.event_type);
    auto it = frames_by_type.find(type);
    if (it == frames_by_type.end()) {
      Counter* c = &options_.metrics->GetCounter("call_ledger_frames_received_total",
                                                 "ARI frames received, by event type.",
                                                 {{"type", std::string(type)}});
      it = frames_by_type.emplace(std::string(type), c).first;
    }
    it->second->Add();
  };
  std::vector<Item> items;
  std::vector<RecordDraft> drafts;
  std::vector<cel::GapWindow> closed;
  AppendOutage outage;
  std::optional<std::chrono::steady_clock::time_point> stopping_since;
  std::size_t abandoned = 0;  // records given up on at shutdown
  Status last_error;
  bool ledger_lost = false;  // an append answered kAborted (SetOnLedgerLost)
  while (true) {
    bool took_evidence = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) break;
      while (!queue_.empty() && items.size() < options_.batch_records) {
        if (queue_.front().type == Item::Type::kEvidence) {
          --pending_evidence_;
          took_evidence = true;
        }
        items.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (took_evidence) evidence_cv_.notify_all();
    drafts.clear();
    closed.clear();
    for (auto& item : items) {
      TrackWindows(item, closed);
      switch (item.type) {
        case Item::Type::kFrame:
          drafts.push_back(ari::DraftFromFrame(parser, item.frame, item.received_at_us));
          count_frame(drafts.back());
          if (drafts.back().kind == RecordKind::kMalformed) {
            ++stats_.malformed;
            spdlog::warn("kept a malformed frame ({} bytes): {}", item.frame.size(),
                         drafts.back().reason);
          }
          break;
        case Item::Type::kSnapshot: {
          const std::size_t before = drafts.size();
          if (SnapshotDrafts(std::move(item.frame), std::move(item.bridges), item.received_at_us,
                             drafts)) {
            ++stats_.reconciles;
          } else {
            stats_.malformed += drafts.size() - before;  // the bodies kept
          }
          break;
        }
        case Item::Type::kDraft:
        case Item::Type::kEvidence:
          drafts.push_back(std::move(item.draft));
          break;
      }
    }
    items.clear();
    auto delay = options_.retry_initial;
    while (true) {
      const auto append_start = std::chrono::steady_clock::now();
      Result<SeqRange> r = log_.Append(drafts);
      const auto append_end = std::chrono::steady_clock::now();
      if (append_latency) {
        append_latency->Observe(std::chrono::duration<double>(append_end - append_start).count());
      }
      stats_.last_append_ok = r.ok();
      if (r.ok()) {
        stats_.appended += drafts.size();
        stats_.head = r->last.value;
        if (outage.active()) {
          if (auto line = outage.Appended(drafts.size(), QueuedItems(), append_end)) {
            spdlog::info("{}", *line);
          }
        }
        if (on_appended_) on_appended_(r->last);
        if (on_gap_window_) {
          for (auto& window : closed) on_gap_window_(std::move(window));
        }
        break;
      }
      ++stats_.append_errors;
      const AppendOutage::Held held{drafts.size(), QueuedItems(), options_.queue_frames,
                                    options_.retry_max};
      if (auto line = outage.Failed(r.status(), held, append_end)) spdlog::error("{}", *line);
      if (r.status().code() == Code::kAborted && !ledger_lost) {
        ledger_lost = true;
        spdlog::critical("the ledger takes no records in this process: {}; stopping",
                         r.status().message());
        if (on_ledger_lost_) on_ledger_lost_(r.status());
      }
      std::unique_lock lock(mu_);
      // Keep retrying, also while stopping (these records were accepted),
      // but let a shutdown finish within its deadline: after it every batch
      // left gets one attempt.
      if (stopping_ && !stopping_since) stopping_since = append_end;
      if (stopping_since && append_end - *stopping_since >= kShutdownRetry) {
        abandoned += drafts.size();
        last_error = r.status();
        break;
      }
      // Frames keep arriving and notify cv_; only a Stop() cuts the wait
      // short, or every frame would be a retry.
      const bool was_stopping = stopping_;
      cv_.wait_for(lock, delay, [&] { return stopping_ != was_stopping; });
      delay = std::min(delay * 2, options_.retry_max);
    }
  }
  if (abandoned > 0) {
    spdlog::critical("shutting down with {} records not appended: {}", abandoned,
                     last_error.ToString());
  }
}

}  // namespace callledger::daemon
