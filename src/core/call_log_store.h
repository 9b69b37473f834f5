// CallLogStore: the port through which the projection reaches the call-log
// table (PostgreSQL in production, src/pg; an in-memory twin for tests,
// src/projection/memory_call_log_store.h). Both pass one contract suite.
//
// Exactly once (DESIGN invariant 4): ApplyBatch writes the rows of a batch
// and moves the node's checkpoint (the last applied seq) in ONE transaction,
// and the checkpoint move is a compare-and-set on its previous value. A crash
// anywhere therefore re-applies nothing twice and skips nothing.
//
// Rows are keyed by (node, call_id). Every node has its own checkpoint.
//
// Errors: kAborted when the checkpoint was not `expected` (another writer
// moved it: reload and retry from the new checkpoint); kUnavailable when the
// database cannot be reached (back off and retry); kFailedPrecondition when
// the database schema is newer than this build; kInvalidInput for bad rows.
//
// Implementations are not required to be thread-safe; one runner per node.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_row.h"
#include "core/record.h"
#include "core/status.h"

namespace callledger {

class CallLogStore {
 public:
  virtual ~CallLogStore() = default;

  // The node's checkpoint; Seq{0} when nothing was ever applied.
  virtual Result<Seq> Checkpoint(std::string_view node) = 0;

  // Upserts / deletes `changes` (in order; later changes of a key win) and
  // moves the checkpoint from `expected` to `next`, atomically.
  virtual Status ApplyBatch(std::string_view node, Seq expected, Seq next,
                            std::span<const RowChange> changes) = 0;

  // Replaces every row of `node` with `rows` and sets its checkpoint to
  // `checkpoint`, atomically: readers see the old rows or the new ones,
  // never a mix (rebuild).
  virtual Status ReplaceAll(std::string_view node, std::span<const CallRow> rows,
                            Seq checkpoint) = 0;

  // After ReplaceAll: upkeep that makes the new rows quick to read
  // (PostgreSQL: planner statistics). The rows are live already, so an
  // error here loses nothing. Stores without such upkeep do nothing.
  virtual Status RefreshStatistics(std::string_view /*node*/) { return Status::Ok(); }

  // Every row of `node`, ordered by call_id.
  virtual Result<std::vector<CallRow>> AllRows(std::string_view node) = 0;
};

}  // namespace callledger
