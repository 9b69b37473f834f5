// FoldLedger: the whole ledger through the projector on two threads.
//
// A reader thread scans and verifies the records into batches; this thread
// decodes their JSON and applies them in seq order. Reading and verifying a
// record costs more than decoding and projecting it (docs/benchmarks.md),
// so the reader copies only the bytes the decoder will read (most records
// the projector skips unread) and leaves the decoding to the applier. When
// the applier falls behind nonetheless (a ledger of heavier records, or a
// machine busy with other work), the reader decodes the next batch itself:
// the split is decided batch by batch. Decoding is a pure function of the
// record, so which thread decodes changes nothing in the result.
//
// With FoldOptions::settled the applier also hands out rows as they settle
// (Settler below), so that a rebuild's writer can store them while the
// fold goes on; the rows the fold returns do not depend on it.
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "projection/record_projector.h"
#include "record/record_codec.h"
#include "replay/rebuild.h"

namespace callledger::replay {
namespace {

// Four batches of 512 records: a few milliseconds of reading ahead. More
// (eight of 1,024) was ~10 % slower on the two-core build machine: the
// records then leave the caches before the applier gets to them.
constexpr std::size_t kBatchRecords = 512;
constexpr std::size_t kBuffers = 4;
// The reader decodes a batch itself when at least this many batches wait
// for the applier.
constexpr std::size_t kDecodeWhenQueued = 2;

// One verified record of a batch: decoded by the reader (into the batch's
// `decoded` at the same index), or holding what RecordDecoder::DecodeKept
// reads (copies: the scan's views die with the next step) for the applier
// to decode. The payload's buffer has room for the JSON parser's padding,
// so the applier parses it in place rather than copying it once more.
// Slots are reused, so their buffers survive; they are small, so a batch of
// them stays in the caches while it passes between the threads.
struct Slot {
  Seq seq;
  bool decoded = false;
  RecordKind kind = RecordKind::kUnknown;
  std::int64_t event_time_us = 0;
  std::string event_type;  // empty unless the decoder reads the record
  std::string payload;     // likewise

  // Keeps what Decode needs of `view`. A record whose payload the decoder
  // would not read is kept as kUnknown: Decode makes every such record a
  // kUnknown with no skip reason, and DecodeKept then need not ask the
  // question (a look into the payload) a second time.
  void Keep(const RecordView& view) {
    event_time_us = view.event_time_us;
    if (projection::RecordDecoder::NeedsPayload(view)) {
      kind = view.kind;
      event_type.assign(view.event_type);
      payload.reserve(view.payload.size() + ari::EventDecoder::kPadding);
      payload.assign(view.payload);
    } else {
      kind = view.kind == RecordKind::kGap ? RecordKind::kGap : RecordKind::kUnknown;
      event_type.clear();
      payload.clear();
    }
  }
  RecordView Kept() const {
    RecordView view;
    view.seq = seq;
    view.kind = kind;
    view.event_type = event_type;
    view.event_time_us = event_time_us;
    view.payload = payload;
    return view;
  }
};

struct Batch {
  std::vector<Slot> slots{kBatchRecords};
  std::vector<projection::DecodedRecord> decoded{kBatchRecords};  // when slots[i].decoded
  std::size_t size = 0;
};

Status Damaged(Seq seq, const Status& why) {
  return DataLoss("seq " + std::to_string(seq.value) + ": " + why.message());
}

// The batches and who holds them. `full` batches wait for the applier in
// seq order; `empty` ones for the reader.
class BatchQueue {
 public:
  BatchQueue() {
    for (std::size_t i = 0; i < kBuffers; ++i) empty_.push_back(i);
  }
  Batch& at(std::size_t b) { return buffers_[b]; }

  // Reader side. nullopt once the applier has stopped.
  std::optional<std::size_t> TakeEmpty(bool* applier_behind) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !empty_.empty() || applier_stopped_; });
    if (applier_stopped_) return std::nullopt;
    const std::size_t b = empty_.front();
    empty_.pop_front();
    *applier_behind = full_.size() >= kDecodeWhenQueued;
    return b;
  }
  void Publish(std::size_t b) {
    std::lock_guard lock(mu_);
    full_.push_back(b);
    cv_.notify_all();
  }
  void ReaderDone(std::optional<std::size_t> last, Status status) {
    std::lock_guard lock(mu_);
    if (last && buffers_[*last].size > 0) full_.push_back(*last);
    reader_status_ = std::move(status);
    reader_done_ = true;
    cv_.notify_all();
  }

  // Applier side. nullopt when the reader is done and nothing is left.
  std::optional<std::size_t> TakeFull() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !full_.empty() || reader_done_; });
    if (full_.empty()) return std::nullopt;
    const std::size_t b = full_.front();
    full_.pop_front();
    return b;
  }
  void Recycle(std::size_t b) {
    std::lock_guard lock(mu_);
    buffers_[b].size = 0;
    empty_.push_back(b);
    cv_.notify_all();
  }
  void ApplierStopped() {
    std::lock_guard lock(mu_);
    applier_stopped_ = true;
    cv_.notify_all();
  }
  // After the reader thread has been joined.
  const Status& reader_status() const { return reader_status_; }

 private:
  std::vector<Batch> buffers_{kBuffers};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::size_t> full_, empty_;
  bool reader_done_ = false, applier_stopped_ = false;
  Status reader_status_;
};

void ReadLedger(const EventLog& log, Seq to, BatchQueue& queue) {
  projection::RecordDecoder decoder;
  bool decode = false;
  std::optional<std::size_t> cur = queue.TakeEmpty(&decode);
  Status damaged;
  Status scan =
      !cur ? Status::Ok() : log.ScanEncoded(Seq{1}, to, [&](Seq key, std::string_view bytes) {
        Batch& batch = queue.at(*cur);
        Slot& slot = batch.slots[batch.size];
        Result<RecordView> view = DecodeRecordView(bytes);
        if (!view.ok()) {
          damaged = Damaged(key, view.status());
          return false;
        }
        slot.seq = key;
        slot.decoded = decode;
        if (decode) {
          decoder.Decode(*view, &batch.decoded[batch.size]);
        } else {
          slot.Keep(*view);
        }
        if (++batch.size == kBatchRecords) {
          queue.Publish(*cur);
          cur = queue.TakeEmpty(&decode);
          if (!cur) return false;
        }
        return true;
      });
  queue.ReaderDone(cur, !damaged.ok() ? damaged : scan);
}

// A row of the fold, the record that last changed it, and whether it was
// handed out as it is. A row handed out is not kept (the writer has it):
// then only its key and these flags stay, some 100 bytes instead of ~1 KB.
struct FoldRow {
  std::unique_ptr<CallRow> row;  // null while handed out
  std::uint64_t changed_at = 0;
  bool handed_out = false;
};

// Hands out the rows that settled (FoldOptions::settled): finished, and not
// changed for settle_after_records records. Rows whose change passes the
// horizon are found in a queue of changes, oldest first (an entry is stale
// once its row changed again). A row that changed after it was handed out
// is withdrawn, and never handed out again: its last version is the
// caller's to write at the end.
class Settler {
 public:
  // `last`: the last record of the fold. A row can settle only if the
  // horizon fits in the fold; otherwise no change is queued at all.
  Settler(const FoldOptions& options, std::uint64_t last)
      : options_(options),
        enabled_(static_cast<bool>(options.settled) && options.settle_after_records < last) {}

  bool enabled() const { return enabled_; }

  void Changed(std::uint64_t seq, FoldRow& row, const std::string& key) {
    if (row.handed_out) {
      withdrawn_.insert(key);
      row.handed_out = false;
    }
    row.changed_at = seq;
    if (enabled()) changes_.emplace_back(seq, key);
  }
  void Deleted(const FoldRow& row, const std::string& key) {
    if (row.handed_out) withdrawn_.insert(key);
  }

  // After the records up to `seq` were applied.
  Status Settle(std::uint64_t seq, std::map<std::string, FoldRow>& rows) {
    // seq >= every queued change's seq: the difference cannot wrap.
    while (!changes_.empty() && seq - changes_.front().first >= options_.settle_after_records) {
      const auto& [at, key] = changes_.front();
      auto it = rows.find(key);
      if (it != rows.end() && it->second.changed_at == at && !it->second.handed_out &&
          it->second.row->status == CallStatus::kFinished && !withdrawn_.contains(key)) {
        pending_.push_back(std::move(*it->second.row));
        it->second.row.reset();
        it->second.handed_out = true;
      }
      changes_.pop_front();
      if (pending_.size() >= options_.hand_out_rows) {
        RETURN_IF_ERROR(HandOut());
      }
    }
    return Status::Ok();
  }
  // The rows settled but not handed out yet.
  Status HandOut() {
    if (pending_.empty()) return Status::Ok();
    std::vector<CallRow> out;
    out.swap(pending_);
    return options_.settled(std::move(out));
  }

  std::vector<std::string> TakeWithdrawn() {
    return {std::make_move_iterator(withdrawn_.begin()), std::make_move_iterator(withdrawn_.end())};
  }

 private:
  const FoldOptions& options_;
  const bool enabled_;
  std::deque<std::pair<std::uint64_t, std::string>> changes_;
  std::vector<CallRow> pending_;
  std::set<std::string> withdrawn_;
};

}  // namespace

Result<FoldResult> FoldLedger(const EventLog& log, Seq to, const FoldOptions& options) {
  BatchQueue queue;
  std::thread reader([&] { ReadLedger(log, to, queue); });

  projection::RecordDecoder decoder;
  projection::DecodedRecord scratch;
  projection::RecordProjector projector(log.Info().node);
  std::map<std::string, FoldRow> rows;
  Settler settler(options, to.value);
  std::vector<RowChange> changes;
  std::uint64_t n = 0;
  Status stopped;
  while (stopped.ok()) {
    const std::optional<std::size_t> b = queue.TakeFull();
    if (!b) break;
    Batch& batch = queue.at(*b);
    for (std::size_t i = 0; i < batch.size; ++i) {
      Slot& slot = batch.slots[i];
      // Decoded here into one record that stays in this core's caches.
      const projection::DecodedRecord* record = &batch.decoded[i];
      if (!slot.decoded) {
        decoder.DecodeKept(slot.Kept(), &scratch);
        record = &scratch;
      }
      changes.clear();
      projector.ApplyDecoded(*record, &changes);
      for (auto& ch : changes) {
        if (ch.op == RowChange::Op::kDelete) {
          if (auto it = rows.find(ch.row.call_id); it != rows.end()) {
            settler.Deleted(it->second, it->first);
            rows.erase(it);
          }
        } else {
          auto [it, added] = rows.try_emplace(ch.row.call_id);
          FoldRow& row = it->second;
          settler.Changed(slot.seq.value, row, it->first);
          if (row.row) {
            *row.row = std::move(ch.row);
          } else {
            row.row = std::make_unique<CallRow>(std::move(ch.row));
          }
        }
      }
      if (++n % 65536 == 0 && options.progress) options.progress(slot.seq, to);
    }
    if (settler.enabled() && batch.size > 0) {
      stopped = settler.Settle(batch.slots[batch.size - 1].seq.value, rows);
    }
    queue.Recycle(*b);
  }
  queue.ApplierStopped();
  reader.join();
  RETURN_IF_ERROR(stopped);
  RETURN_IF_ERROR(queue.reader_status());
  RETURN_IF_ERROR(settler.HandOut());
  FoldResult out;
  out.records = n;
  out.skipped = projector.skipped();
  out.row_count = rows.size();
  for (auto& [k, r] : rows) {
    if (!r.handed_out) out.rows.push_back(std::move(*r.row));
  }
  out.withdrawn = settler.TakeWithdrawn();
  return out;
}

}  // namespace callledger::replay
