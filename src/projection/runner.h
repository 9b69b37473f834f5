// ProjectionRunner: keeps a CallLogStore up to date with a ledger.
//
//   checkpoint -> read records after it -> fold (RecordProjector) -> apply
//
// Start() loads the node's checkpoint and rebuilds the projector's state by
// folding records 1..checkpoint without writing (the state is a pure
// function of those records, so it is exactly the state the previous run
// had). CatchUp() then projects every record up to the ledger head in
// batches: the changes of up to `batch_records` records, coalesced by key,
// and the checkpoint move go to the store in one ApplyBatch (exactly once).
//
// If the store is unavailable, CatchUp returns kUnavailable and keeps the
// pending batch; the next CatchUp retries it (the caller backs off). If the
// checkpoint moved under us (kAborted: a rebuild ran), the runner restarts
// itself from the new checkpoint.
//
// Not thread-safe: one runner per node, driven by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/call_log_store.h"
#include "core/event_log.h"
#include "projection/record_projector.h"

namespace callledger::projection {

struct RunnerOptions {
  std::size_t batch_records = 1000;  // records per store transaction (at most)
  // Called on the runner's thread after each committed batch with the new
  // checkpoint and the batch's coalesced changes (the live feed). Must not
  // block: it delays the next batch.
  std::function<void(Seq checkpoint, const std::vector<RowChange>& changes)> on_committed = {};
};

struct RunnerStats {
  std::uint64_t records_applied = 0;
  std::uint64_t batches = 0;
  std::uint64_t rows_written = 0;
  std::uint64_t restarts = 0;  // after kAborted
  std::uint64_t store_errors = 0;
};

class ProjectionRunner {
 public:
  ProjectionRunner(const EventLog& log, CallLogStore& store, RunnerOptions options = {});

  Status Start();
  // Projects up to the ledger head (as it is when called, and `limit`
  // records at most); returns the number of records applied.
  Result<std::uint64_t> CatchUp(std::uint64_t limit = UINT64_MAX);

  Seq checkpoint() const { return checkpoint_; }
  const RunnerStats& stats() const { return stats_; }
  const RecordProjector* projector() const { return projector_.get(); }
  // Live calls as the projector sees them (for the live feed's snapshot).
  std::vector<CallRow> LiveRows() const;

 private:
  Status Flush();

  const EventLog& log_;
  CallLogStore& store_;
  RunnerOptions options_;
  std::string node_;
  std::unique_ptr<RecordProjector> projector_;
  Seq checkpoint_;  // what the store has
  Seq folded_;      // what the projector has seen
  std::vector<RowChange> pending_;
  bool started_ = false;
  RunnerStats stats_;
};

// Keeps the last change of each call_id, in the order keys were last
// changed; what one transaction needs to write.
std::vector<RowChange> Coalesce(const std::vector<RowChange>& changes);

}  // namespace callledger::projection
