// MemoryCallLogStore: the in-memory twin of pg::PgCallLogStore, for tests.
// Same contract (core/call_log_store.h): the checkpoint compare-and-set and
// the rows of a batch change together or not at all.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "core/call_log_store.h"

namespace callledger::projection {

class MemoryCallLogStore final : public CallLogStore {
 public:
  Result<Seq> Checkpoint(std::string_view node) override;
  Status ApplyBatch(std::string_view node, Seq expected, Seq next,
                    std::span<const RowChange> changes) override;
  Status ReplaceAll(std::string_view node, std::span<const CallRow> rows, Seq checkpoint) override;
  Result<std::vector<CallRow>> AllRows(std::string_view node) override;
  Result<CheckpointRows> RowsAtCheckpoint(std::string_view node) override;

  // Counts of calls, for tests.
  std::uint64_t batches_applied() const { return batches_; }

 private:
  std::vector<CallRow> RowsOf(const std::string& node) const;  // mu_ held

  std::mutex mu_;
  std::map<std::string, Seq> checkpoints_;
  std::map<std::pair<std::string, std::string>, CallRow> rows_;  // (node, call_id)
  std::uint64_t batches_ = 0;
};

}  // namespace callledger::projection
