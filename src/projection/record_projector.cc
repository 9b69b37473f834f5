#include "projection/record_projector.h"

#include <algorithm>

#include "record/record_codec.h"

namespace callledger::projection {

void RecordProjector::Apply(const Record& record, std::vector<RowChange>* changes) {
  RecordView view;
  view.seq = record.seq;
  view.kind = record.kind;
  view.event_type = record.event_type;
  view.event_time_us = record.event_time_us;
  view.payload = record.payload;
  Apply(view, changes);
}

void RecordProjector::Apply(const RecordView& record, std::vector<RowChange>* changes) {
  ProjectorInput in;
  in.seq = record.seq;
  in.kind = record.kind;
  in.time_us = record.event_time_us;
  Result<ReconcileSnapshot> snap = Status();
  auto skip = [&](const Status& s) {
    ++skipped_;
    last_skip_reason_ = "seq " + std::to_string(record.seq.value) + ": " + s.message();
    in.kind = RecordKind::kUnknown;  // still advances the projector's seq
  };
  switch (record.kind) {
    case RecordKind::kAriEvent:
      if (!Projector::ReadsEventType(record.event_type)) {
        in.kind = RecordKind::kUnknown;  // nothing in it can change a row
        break;
      }
      if (Status s = decoder_.DecodeEventInto(record.payload, &event_); s.ok()) {
        in.event = &event_;
      } else {
        skip(s);
      }
      break;
    case RecordKind::kReconcile:
      snap = decoder_.DecodeReconcile(record.payload);
      if (snap.ok()) in.reconcile = &snap.value(); else skip(snap.status());
      break;
    case RecordKind::kNote: {
      auto opts = decoder_.DecodeOptions(record.payload);
      if (opts.ok()) in.options = std::move(opts.value()); else skip(opts.status());
      break;
    }
    default:
      break;
  }
  projector_.Apply(in, changes);
}

void RowSet::Apply(const std::vector<RowChange>& changes) {
  for (const auto& ch : changes) {
    if (ch.op == RowChange::Op::kDelete) {
      rows_.erase(ch.row.call_id);
    } else {
      rows_[ch.row.call_id] = ch.row;
    }
  }
}

std::vector<CallRow> RowSet::Sorted() const {
  std::vector<CallRow> out;
  out.reserve(rows_.size());
  for (const auto& [key, row] : rows_) out.push_back(row);
  std::stable_sort(out.begin(), out.end(), [](const CallRow& a, const CallRow& b) {
    if (a.start_us != b.start_us) return a.start_us < b.start_us;
    return a.call_id < b.call_id;
  });
  return out;
}

Result<std::vector<CallRow>> ProjectLedger(const EventLog& log, Seq from, Seq to) {
  RecordProjector projector(log.Info().node);
  RowSet rows;
  std::vector<RowChange> changes;
  Status inner;
  Status scan = log.ScanEncoded(from, to, [&](Seq key, std::string_view bytes) {
    Result<RecordView> r = DecodeRecordView(bytes);
    if (!r.ok()) {
      inner = DataLoss("seq " + std::to_string(key.value) + ": " + r.status().message());
      return false;
    }
    changes.clear();
    projector.Apply(*r, &changes);
    rows.Apply(changes);
    return true;
  });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  return rows.Sorted();
}

}  // namespace callledger::projection
