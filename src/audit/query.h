// Record queries for `ledger-audit log` and the HTTP events endpoint.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/event_log.h"

namespace callledger::audit {

struct LogFilter {
  Seq from_seq{1};
  Seq to_seq{UINT64_MAX};
  std::optional<std::int64_t> since_us;   // event time >= since
  std::optional<std::int64_t> until_us;   // event time < until
  std::optional<std::string> event_type;  // exact ARI type
  std::optional<RecordKind> kind;
  std::optional<std::string> channel;  // uses the channel index
  std::uint64_t limit = UINT64_MAX;
};

// Visits matching records in seq order; the visitor returns false to stop.
// kDataLoss if a record in range does not decode.
using RecordVisitor = std::function<bool(const Record&)>;
Status QueryLog(const EventLog& log, const LogFilter& filter, const RecordVisitor& visit);

// Decodes and visits the records with these seqs, in the given order.
Status VisitSeqs(const EventLog& log, const std::vector<Seq>& seqs, const RecordVisitor& visit);

}  // namespace callledger::audit
