// `ledger-replay rebuild` and `check`: the call-log table from the whole
// ledger, and the auditors' proof that the live table is what the ledger
// says. Store-agnostic (core/call_log_store.h); the tool wires PostgreSQL.
#pragma once

#include <cstddef>
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
  std::uint64_t skipped = 0;  // records the projector could not decode
  Seq checkpoint;
  std::uint64_t rows_early = 0;   // handed to the store during the fold (withdrawn ones too)
  std::uint64_t withdrawn = 0;    // rows written early that changed after
  double fold_seconds = 0;        // BeginReplace and the fold (the early writes run beside it)
  double write_seconds = 0;       // after the fold, until the new rows are live
  double statistics_seconds = 0;  // then CallLogStore::RefreshStatistics
  std::string statistics_error;   // empty when that succeeded
};

// Called with the seq reached while folding.
using FoldProgress = std::function<void(Seq reached, Seq head)>;

// Folds the ledger up to its head (as of the start) and replaces the node's
// rows and checkpoint in one step (CallLogStore::BeginReplace: the rows of
// finished calls are handed to the store while the fold goes on, the rest
// and the withdrawals at the end), then refreshes the store's statistics.
// Only a failure before the rows are live is an error; a failed refresh is
// reported in statistics_error.
struct RebuildOptions {
  FoldProgress progress;
  // When the fold hands a finished call's row to the store
  // (FoldOptions::settle_after_records, hand_out_rows).
  std::uint64_t settle_after_records = 20000;
  std::size_t hand_out_rows = 256;
};
Result<RebuildReport> Rebuild(const EventLog& log, CallLogStore& store,
                              const RebuildOptions& options = {});

struct CheckReport {
  std::uint64_t ledger_rows = 0;         // rows a fold of the ledger gives
  std::uint64_t table_rows = 0;          // rows in the live table
  Seq checkpoint;                        // the table's checkpoint; the fold stops there
  std::vector<std::string> differences;  // one readable line per differing column / row
};

// Reads the table's rows as of its checkpoint at one moment
// (CallLogStore::RowsAtCheckpoint), folds the ledger up to that checkpoint
// (so a live table that is merely behind, or moving on, is not reported)
// and compares every row, column by column. kAborted when the checkpoint
// is beyond `log`'s head (the daemon appended and projected after `log`
// was opened read-only): open the ledger again and retry.
Result<CheckReport> Check(const EventLog& log, CallLogStore& store,
                          const FoldProgress& progress = {});

struct FoldOptions {
  FoldProgress progress;
  // When set, receives rows the fold does not expect to change again while
  // it goes on (on the folding thread), so that a writer can store them
  // early: a finished call's row once `settle_after_records` records have
  // passed without changing it, in hand-outs of up to `hand_out_rows` rows
  // (fewer at the end). An error stops the fold and is returned.
  std::function<Status(std::vector<CallRow>)> settled;
  std::uint64_t settle_after_records = 20000;
  std::size_t hand_out_rows = 256;
};

struct FoldResult {
  // Every row at the end, ordered by call_id, except the rows handed to
  // FoldOptions::settled as they are now (the fold does not keep those).
  std::vector<CallRow> rows;
  std::uint64_t row_count = 0;  // all rows at the end, handed out or not
  // call_ids given to FoldOptions::settled whose row changed or went away
  // after (ordered): what a writer of the early rows must take back. Their
  // rows as they are now, if any, are in `rows`.
  std::vector<std::string> withdrawn;
  std::uint64_t records = 0;
  std::uint64_t skipped = 0;  // records whose payload the projector could not decode
};

// Folds records 1..to into rows, on two threads (replay/fold.cc): the same
// rows as projection::ProjectLedger, whatever FoldOptions say. kDataLoss
// at the first record that does not decode as a record.
Result<FoldResult> FoldLedger(const EventLog& log, Seq to, const FoldOptions& options = {});

}  // namespace callledger::replay
