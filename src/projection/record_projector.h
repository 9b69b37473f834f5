// Applies ledger records to the pure Projector: decodes each record's payload
// (frames: ari/event_decoder.h; reconcile and note: payload/) into the
// projector's typed input. This is the one
// path from records to rows; the runner, rebuild and `ledger-replay fixture`
// all use it.
//
// Two stages, so a long fold can run them on two threads (FoldLedger):
//   RecordDecoder::Decode(view) -> DecodedRecord   (pure, per record)
//   RecordProjector::Apply(DecodedRecord)          (the fold, in seq order)
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ari/event_decoder.h"
#include "core/call_row.h"
#include "core/event_log.h"
#include "core/projector.h"
#include "payload/cel_event.h"
#include "payload/reconcile.h"
#include "record/record_codec.h"

namespace callledger::projection {

// A record decoded for the projector. Reused from record to record: its
// buffers survive, so decoding allocates little.
struct DecodedRecord {
  Seq seq;
  RecordKind kind = RecordKind::kUnknown;  // kUnknown: nothing to project
  std::int64_t time_us = 0;
  AriEvent event;
  ReconcileSnapshot reconcile;
  std::vector<std::pair<std::string, std::string>> options;
  std::optional<AsteriskProcess> asterisk;  // kGap: the Asterisk the connection reached
  CelEvidence cel;                          // kCel
  std::int64_t heard_us = 0;                // a frame from Asterisk: its event time
  std::string skip_reason;                  // set when the payload did not decode

  ProjectorInput Input() const;
};

class RecordDecoder {
 public:
  // Whether the projector reads this record's event (cheap; no JSON parse
  // for most records it does not read).
  static bool Reads(const RecordView& record);
  // Whether Decode reads the record's event_type and payload at all. When
  // it does not, Decode gives the same result for the record with both
  // emptied, so a reader need not keep copies of them.
  static bool NeedsPayload(const RecordView& record);
  void Decode(const RecordView& record, DecodedRecord* out);
  // Decode for a record a reader thread kept: NeedsPayload accepted it, and
  // its payload is followed by ari::EventDecoder::kPadding readable bytes.
  // The same result, without asking again or copying the payload to parse it.
  void DecodeKept(const RecordView& record, DecodedRecord* out);

 private:
  enum class Check : std::uint8_t { kReads, kDone };
  void Decode(const RecordView& record, Check check, ari::EventDecoder::Padding padding,
              DecodedRecord* out);

  void DecodeCel(std::string_view payload, DecodedRecord* out);

  ari::EventDecoder decoder_;
  payload::ReconcileDecoder reconcile_decoder_;
  std::unique_ptr<payload::CelLineDecoder> cel_decoder_;
};

class RecordProjector {
 public:
  explicit RecordProjector(std::string node) : projector_(std::move(node)) {}

  // Decodes and applies one record; appends the row changes it causes. A
  // record whose payload does not decode changes nothing and is counted in
  // skipped().
  void Apply(const Record& record, std::vector<RowChange>* changes);
  void Apply(const RecordView& record, std::vector<RowChange>* changes);
  // Applies a record decoded elsewhere (in order!).
  void ApplyDecoded(const DecodedRecord& record, std::vector<RowChange>* changes);

  const Projector& projector() const { return projector_; }
  std::uint64_t skipped() const { return skipped_; }
  const std::string& last_skip_reason() const { return last_skip_reason_; }

 private:
  Projector projector_;
  RecordDecoder decoder_;
  DecodedRecord scratch_;
  std::uint64_t skipped_ = 0;
  std::string last_skip_reason_;
};

// Final rows after a sequence of changes, keyed (ordered) by call_id.
class RowSet {
 public:
  void Apply(const std::vector<RowChange>& changes);
  // Sorted by start_time, then call_id (DESIGN section 7).
  std::vector<CallRow> Sorted() const;
  std::size_t size() const { return rows_.size(); }

 private:
  std::map<std::string, CallRow> rows_;
};

// Folds a whole ledger (records from..to) into rows.
Result<std::vector<CallRow>> ProjectLedger(const EventLog& log, Seq from = Seq{1},
                                           Seq to = Seq{UINT64_MAX});

}  // namespace callledger::projection
