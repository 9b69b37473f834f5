#include "projection/memory_call_log_store.h"

namespace callledger::projection {

Result<Seq> MemoryCallLogStore::Checkpoint(std::string_view node) {
  std::lock_guard lock(mu_);
  auto it = checkpoints_.find(std::string(node));
  return it == checkpoints_.end() ? Seq{} : it->second;
}

Status MemoryCallLogStore::ApplyBatch(std::string_view node, Seq expected, Seq next,
                                      std::span<const RowChange> changes) {
  std::lock_guard lock(mu_);
  const std::string n(node);
  const Seq current = checkpoints_.count(n) ? checkpoints_[n] : Seq{};
  if (current != expected) {
    return Aborted("checkpoint of node '" + n + "' is " + std::to_string(current.value) +
                   ", not the expected " + std::to_string(expected.value));
  }
  for (const auto& ch : changes) {
    const auto key = std::make_pair(n, ch.row.call_id);
    if (ch.op == RowChange::Op::kDelete) {
      rows_.erase(key);
    } else {
      rows_[key] = ch.row;
    }
  }
  checkpoints_[n] = next;
  ++batches_;
  return Status::Ok();
}

Status MemoryCallLogStore::ReplaceAll(std::string_view node, std::span<const CallRow> rows,
                                      Seq checkpoint) {
  std::lock_guard lock(mu_);
  const std::string n(node);
  for (auto it = rows_.lower_bound({n, std::string()});
       it != rows_.end() && it->first.first == n;) {
    it = rows_.erase(it);
  }
  for (const auto& r : rows) rows_[{n, r.call_id}] = r;
  checkpoints_[n] = checkpoint;
  return Status::Ok();
}

Result<std::vector<CallRow>> MemoryCallLogStore::AllRows(std::string_view node) {
  std::lock_guard lock(mu_);
  return RowsOf(std::string(node));
}

Result<CheckpointRows> MemoryCallLogStore::RowsAtCheckpoint(std::string_view node) {
  std::lock_guard lock(mu_);
  const std::string n(node);
  auto it = checkpoints_.find(n);
  return CheckpointRows{it == checkpoints_.end() ? Seq{} : it->second, RowsOf(n)};
}

std::vector<CallRow> MemoryCallLogStore::RowsOf(const std::string& n) const {
  std::vector<CallRow> out;
  for (auto it = rows_.lower_bound({n, std::string()}); it != rows_.end() && it->first.first == n;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

}  // namespace callledger::projection
