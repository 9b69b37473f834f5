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
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
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

}  // namespace

Result<std::vector<CallRow>> FoldLedger(const EventLog& log, Seq to, const FoldProgress& progress,
                                        std::uint64_t* records, std::uint64_t* skipped) {
  BatchQueue queue;
  std::thread reader([&] { ReadLedger(log, to, queue); });

  projection::RecordDecoder decoder;
  projection::DecodedRecord scratch;
  projection::RecordProjector projector(log.Info().node);
  std::map<std::string, CallRow> rows;
  std::vector<RowChange> changes;
  std::uint64_t n = 0;
  while (true) {
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
          rows.erase(ch.row.call_id);
        } else {
          rows[ch.row.call_id] = std::move(ch.row);
        }
      }
      if (++n % 65536 == 0 && progress) progress(slot.seq, to);
    }
    queue.Recycle(*b);
  }
  queue.ApplierStopped();
  reader.join();
  if (!queue.reader_status().ok()) return queue.reader_status();
  if (records != nullptr) *records = n;
  if (skipped != nullptr) *skipped = projector.skipped();
  std::vector<CallRow> out;
  out.reserve(rows.size());
  for (auto& [k, row] : rows) out.push_back(std::move(row));
  return out;
}

}  // namespace callledger::replay
