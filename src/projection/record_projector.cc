#include "projection/record_projector.h"

#include <algorithm>

#include "payload/cel.h"
#include "payload/gap.h"
#include "payload/note.h"
#include "record/record_codec.h"

namespace callledger::projection {

bool RecordDecoder::Reads(const RecordView& record) {
  if (!Projector::ReadsEventType(record.event_type)) return false;
  // The two most frequent event types mostly say nothing the projector
  // keeps; a look at their leading field spares the full decode.
  std::string_view v;
  if (record.event_type == "ChannelVarset" &&
      ari::LeadingStringField(record.payload, "variable", &v)) {
    return Projector::ReadsVariable(v);
  }
  if (record.event_type == "ChannelDialplan" &&
      ari::LeadingStringField(record.payload, "dialplan_app", &v)) {
    return Projector::ReadsDialplanApp(v);
  }
  return true;
}

bool RecordDecoder::NeedsPayload(const RecordView& record) {
  switch (record.kind) {
    case RecordKind::kAriEvent:
      return Reads(record);
    case RecordKind::kReconcile:
    case RecordKind::kNote:
    case RecordKind::kGap:
    case RecordKind::kCel:
      return true;
    default:
      return false;
  }
}

ProjectorInput DecodedRecord::Input() const {
  ProjectorInput in;
  in.seq = seq;
  in.kind = kind;
  in.time_us = time_us;
  if (kind == RecordKind::kAriEvent) in.event = &event;
  if (kind == RecordKind::kReconcile) in.reconcile = &reconcile;
  if (kind == RecordKind::kNote) in.options = options;
  if (kind == RecordKind::kGap && asterisk) in.asterisk = &*asterisk;
  if (kind == RecordKind::kCel) in.cel = &cel;
  in.heard_us = heard_us;
  return in;
}

void RecordDecoder::Decode(const RecordView& record, DecodedRecord* out) {
  Decode(record, Check::kReads, ari::EventDecoder::Padding::kNone, out);
}

void RecordDecoder::DecodeKept(const RecordView& record, DecodedRecord* out) {
  Decode(record, Check::kDone, ari::EventDecoder::Padding::kPadded, out);
}

void RecordDecoder::Decode(const RecordView& record, Check check,
                           ari::EventDecoder::Padding padding, DecodedRecord* out) {
  out->seq = record.seq;
  out->kind = record.kind;
  out->time_us = record.event_time_us;
  out->skip_reason.clear();
  out->heard_us = record.kind == RecordKind::kAriEvent || record.kind == RecordKind::kMalformed
                      ? record.event_time_us
                      : 0;
  auto skip = [&](const Status& s) {
    out->skip_reason = s.message();
    out->kind = RecordKind::kUnknown;  // still advances the projector's seq
  };
  switch (record.kind) {
    case RecordKind::kAriEvent:
      if (check == Check::kReads && !Reads(record)) {
        out->kind = RecordKind::kUnknown;  // nothing in it can change a row
      } else if (Status s = decoder_.DecodeEventInto(record.payload, &out->event, padding);
                 !s.ok()) {
        skip(s);
      }
      break;
    case RecordKind::kReconcile: {
      auto snap = reconcile_decoder_.Decode(record.payload);
      if (snap.ok())
        out->reconcile = std::move(snap.value());
      else
        skip(snap.status());
      break;
    }
    case RecordKind::kNote: {
      auto note = payload::ParseNote(record.payload);
      if (!note.ok()) {
        skip(note.status());
      } else if (note->projector_options) {
        out->options = payload::ProjectorSettings(*note->projector_options);
      } else {
        out->options.clear();  // a note the projector does not read
      }
      break;
    }
    case RecordKind::kGap: {
      // Where it stands, and which Asterisk the connection reached.
      out->asterisk.reset();
      auto gap = payload::ParseGap(record.payload);
      if (!gap.ok()) {
        skip(gap.status());
      } else if (gap->asterisk_info) {
        out->asterisk = payload::AsteriskProcessOf(*gap->asterisk_info);
      }
      if (!gap.ok()) out->kind = RecordKind::kGap;  // a gap all the same: where it stands counts
      break;
    }
    case RecordKind::kCel:
      DecodeCel(record.payload, out);
      break;
    default:
      out->kind = RecordKind::kUnknown;  // malformed: nothing to project
      break;
  }
}

// A cel record's lines, read into facts. Lines that are not CEL lines
// were kept aside by the daemon (bad_lines) and are not read; a line whose
// JSON does not decode, or has no eventtime, is no fact.
void RecordDecoder::DecodeCel(std::string_view payload, DecodedRecord* out) {
  out->cel.facts.clear();
  auto cel = payload::ParseCel(payload);
  if (!cel.ok()) {
    out->skip_reason = cel.status().message();
    out->kind = RecordKind::kUnknown;
    return;
  }
  out->cel.since_us = cel->since_us;
  out->cel.until_us = cel->until_us;
  out->cel.last_part = cel->last_part;
  if (!cel_decoder_) cel_decoder_ = std::make_unique<payload::CelLineDecoder>();
  for (const payload::JsonText& line : cel->lines) {
    auto event = cel_decoder_->Decode(line.text());
    if (!event.ok()) continue;
    if (auto fact = payload::CelFactOf(std::move(*event)))
      out->cel.facts.push_back(std::move(*fact));
  }
}

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
  decoder_.Decode(record, &scratch_);
  ApplyDecoded(scratch_, changes);
}

void RecordProjector::ApplyDecoded(const DecodedRecord& record, std::vector<RowChange>* changes) {
  if (!record.skip_reason.empty()) {
    ++skipped_;
    last_skip_reason_ = "seq " + std::to_string(record.seq.value) + ": " + record.skip_reason;
  }
  projector_.Apply(record.Input(), changes);
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
  RETURN_IF_ERROR(scan);
  RETURN_IF_ERROR(inner);
  return rows.Sorted();
}

}  // namespace callledger::projection
