// Applies ledger records to the pure Projector: decodes each record's payload
// (ari/event_decoder.h) into the projector's typed input. This is the one
// path from records to rows; the runner, rebuild and `ledger-replay fixture`
// all use it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ari/event_decoder.h"
#include "core/call_row.h"
#include "core/event_log.h"
#include "core/projector.h"
#include "record/record_codec.h"

namespace callledger::projection {

class RecordProjector {
 public:
  explicit RecordProjector(std::string node) : projector_(std::move(node)) {}

  // Applies one record; appends the row changes it causes. A record whose
  // payload does not decode changes nothing and is counted in skipped().
  void Apply(const Record& record, std::vector<RowChange>* changes);
  void Apply(const RecordView& record, std::vector<RowChange>* changes);

  const Projector& projector() const { return projector_; }
  std::uint64_t skipped() const { return skipped_; }
  const std::string& last_skip_reason() const { return last_skip_reason_; }

 private:
  Projector projector_;
  ari::EventDecoder decoder_;
  AriEvent event_;  // reused: its buffers survive from record to record
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
