#include "projection/runner.h"

#include <map>

#include "record/record_codec.h"

namespace callledger::projection {

std::vector<RowChange> Coalesce(const std::vector<RowChange>& changes) {
  std::map<std::string, std::size_t> last;
  for (std::size_t i = 0; i < changes.size(); ++i) last[changes[i].row.call_id] = i;
  std::vector<RowChange> out;
  out.reserve(last.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (last[changes[i].row.call_id] == i) out.push_back(changes[i]);
  }
  return out;
}

ProjectionRunner::ProjectionRunner(const EventLog& log, CallLogStore& store, RunnerOptions options)
    : log_(log), store_(store), options_(options), node_(log.Info().node) {
  if (options_.batch_records == 0) options_.batch_records = 1;
}

Status ProjectionRunner::Start() {
  started_ = false;
  pending_.clear();
  ASSIGN_OR_RETURN(const Seq cp, store_.Checkpoint(node_));
  if (cp > log_.Head().seq) {
    return FailedPrecondition("the call-log store's checkpoint for node '" + node_ + "' is seq " +
                              std::to_string(cp.value) + ", beyond the ledger's head " +
                              std::to_string(log_.Head().seq.value) +
                              ": this ledger is not the one the table was built from");
  }
  projector_ = std::make_unique<RecordProjector>(node_);
  std::vector<RowChange> discard;
  Status inner;
  if (cp.value > 0) {
    RETURN_IF_ERROR(log_.ScanEncoded(Seq{1}, cp, [&](Seq key, std::string_view bytes) {
      Result<RecordView> r = DecodeRecordView(bytes);
      if (!r.ok()) {
        inner = DataLoss("seq " + std::to_string(key.value) + ": " + r.status().message());
        return false;
      }
      discard.clear();
      projector_->Apply(*r, &discard);
      return true;
    }));
    RETURN_IF_ERROR(inner);
  }
  checkpoint_ = cp;
  folded_ = cp;
  started_ = true;
  return Status::Ok();
}

Status ProjectionRunner::Flush() {
  if (folded_ == checkpoint_) return Status::Ok();
  std::vector<RowChange> batch = Coalesce(pending_);
  Status s = store_.ApplyBatch(node_, checkpoint_, folded_, batch);
  if (!s.ok()) {
    ++stats_.store_errors;
    return s;
  }
  stats_.records_applied += folded_.value - checkpoint_.value;
  stats_.rows_written += batch.size();
  ++stats_.batches;
  checkpoint_ = folded_;
  pending_.clear();
  if (options_.on_committed && !batch.empty()) options_.on_committed(checkpoint_, batch);
  return Status::Ok();
}

Result<std::uint64_t> ProjectionRunner::CatchUp(std::uint64_t limit) {
  if (!started_) RETURN_IF_ERROR(Start());
  // A batch left over from a failed attempt goes first.
  if (Status s = Flush(); !s.ok()) {
    if (s.code() == Code::kAborted) {
      ++stats_.restarts;
      started_ = false;
    }
    return s;
  }
  const std::uint64_t before = checkpoint_.value;
  // Stop at the head as it is now, or after `limit` records (saturating).
  const Seq head{
      std::min(log_.Head().seq.value, limit > UINT64_MAX - before ? UINT64_MAX : before + limit)};
  while (folded_ < head) {
    const Seq to{std::min(head.value, folded_.value + options_.batch_records)};
    Status inner;
    RETURN_IF_ERROR(log_.ScanEncoded(folded_.Next(), to, [&](Seq key, std::string_view bytes) {
      if (key != folded_.Next()) {
        inner = DataLoss("ledger seq " + std::to_string(folded_.Next().value) + " is missing");
        return false;
      }
      Result<RecordView> r = DecodeRecordView(bytes);
      if (!r.ok()) {
        inner = DataLoss("seq " + std::to_string(key.value) + ": " + r.status().message());
        return false;
      }
      projector_->Apply(*r, &pending_);
      folded_ = key;
      return true;
    }));
    RETURN_IF_ERROR(inner);
    if (Status s = Flush(); !s.ok()) {
      if (s.code() == Code::kAborted) {
        ++stats_.restarts;
        started_ = false;
      }
      return s;
    }
  }
  return checkpoint_.value - before;
}

std::vector<CallRow> ProjectionRunner::LiveRows() const {
  return projector_ ? projector_->projector().LiveRows() : std::vector<CallRow>{};
}

}  // namespace callledger::projection
