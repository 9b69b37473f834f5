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

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_row.h"
#include "core/record.h"
#include "core/status.h"

namespace callledger {

class RowReplacement;

// A node's checkpoint and its rows (ordered by call_id) as of one moment.
struct CheckpointRows {
  Seq checkpoint;
  std::vector<CallRow> rows;
};

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

  // ReplaceAll in pieces, for a producer of rows that knows most of them
  // long before it knows them all (a rebuild's fold): the store may write
  // the early ones while the rest are still being produced. The node's rows
  // do not change until RowReplacement::Finish. Until the replacement is
  // finished or destroyed, call no other method of this store; the store
  // must outlive it. The default keeps the rows in memory and calls
  // ReplaceAll in Finish.
  virtual Result<std::unique_ptr<RowReplacement>> BeginReplace(std::string_view node);

  // After ReplaceAll: upkeep that makes the new rows quick to read
  // (PostgreSQL: planner statistics). The rows are live already, so an
  // error here loses nothing. Stores without such upkeep do nothing.
  virtual Status RefreshStatistics(std::string_view /*node*/) { return Status::Ok(); }

  // Every row of `node`, ordered by call_id.
  virtual Result<std::vector<CallRow>> AllRows(std::string_view node) = 0;

  // The node's checkpoint and every row, read at one moment: since a batch
  // moves both together, the rows are exactly what the records up to the
  // checkpoint made them, however the table moves on meanwhile (check).
  // The default reads Checkpoint then AllRows, which agree only when
  // nothing writes in between; stores with concurrent writers override it.
  virtual Result<CheckpointRows> RowsAtCheckpoint(std::string_view node);
};

// One replacement of a node's rows under way (CallLogStore::BeginReplace).
//
// The new set of rows is what Add was given, less the rows Finish names as
// withdrawn, plus the rows given to Finish. A call_id may appear in it only
// once: a row given to Add and not withdrawn cannot be given again.
//
// Errors: kInvalidInput for a row the store refuses (as ReplaceAll) or a
// call_id given twice; otherwise as ReplaceAll. After any error the
// replacement is dead: every later call returns that error, and the node's
// rows stay as they were. Destroying a replacement that was not finished
// abandons it (the node's rows do not change).
//
// Not thread-safe: one thread calls it.
class RowReplacement {
 public:
  virtual ~RowReplacement() = default;

  // Rows of the new set that will not change (the producer believes); the
  // store may start writing them at once, without waiting for them.
  virtual Status Add(std::vector<CallRow> rows) = 0;

  // The end: drops the `withdrawn` call_ids (each given to Add before) from
  // the new set, adds `rows`, and then, atomically, the new set becomes the
  // node's rows and `checkpoint` its checkpoint, as ReplaceAll does.
  virtual Status Finish(std::span<const CallRow> rows, std::span<const std::string> withdrawn,
                        Seq checkpoint) = 0;
};

}  // namespace callledger
