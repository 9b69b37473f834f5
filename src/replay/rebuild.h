// `ledger-replay rebuild` and `check`: the call-log table from the whole
// ledger, and the auditors' proof that the live table is what the ledger
// says. Store-agnostic (core/call_log_store.h); the tool wires PostgreSQL.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/call_log_store.h"
#include "core/event_log.h"

namespace callledger::replay {

struct RebuildReport {
  std::uint64_t records = 0;
  std::uint64_t rows = 0;
  std::uint64_t skipped = 0;     // records the projector could not decode
  Seq checkpoint;
  double fold_seconds = 0;
  double write_seconds = 0;       // until the new rows are live (ReplaceAll)
  double statistics_seconds = 0;  // then CallLogStore::RefreshStatistics
  std::string statistics_error;   // empty when that succeeded
};

// Called with the seq reached while folding.
using FoldProgress = std::function<void(Seq reached, Seq head)>;

// Folds the ledger up to its head (as of the start) and replaces the node's
// rows and checkpoint in one step (CallLogStore::ReplaceAll), then refreshes
// the store's statistics. Only a failure before the rows are live is an
// error; a failed refresh is reported in statistics_error.
Result<RebuildReport> Rebuild(const EventLog& log, CallLogStore& store, const FoldProgress& progress = {});

struct CheckReport {
  std::uint64_t ledger_rows = 0;     // rows a fold of the ledger gives
  std::uint64_t table_rows = 0;      // rows in the live table
  Seq checkpoint;                    // the table's checkpoint; the fold stops there
  std::vector<std::string> differences;  // one readable line per differing column / row
};

// Folds the ledger up to the table's checkpoint (so a live table that is
// merely behind is not reported) and compares every row, column by column.
Result<CheckReport> Check(const EventLog& log, CallLogStore& store, const FoldProgress& progress = {});

// Folds records 1..to into rows (ordered by call_id), on two threads
// (replay/fold.cc): the same rows as projection::ProjectLedger. kDataLoss at
// the first record that does not decode as a record; `records` and
// `skipped` (records whose payload the projector could not decode) may be
// null.
Result<std::vector<CallRow>> FoldLedger(const EventLog& log, Seq to, const FoldProgress& progress,
                                        std::uint64_t* records, std::uint64_t* skipped);

}  // namespace callledger::replay
