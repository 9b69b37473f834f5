#include "core/projector_state.h"

#include <algorithm>

namespace callledger::fold {

void RowEdits::Clear() {
  edited_.clear();
  withdrawn_.clear();
}

RowHandle RowEdits::Edit(Call& call) {
  const bool known = std::any_of(edited_.begin(), edited_.end(),
                                 [&](const auto& edit) { return edit.first == &call; });
  if (!known) edited_.emplace_back(&call, call.row_);
  return RowHandle(&call.row_);
}

void RowEdits::Withdraw(const Call& call) {
  std::erase_if(edited_, [&](const auto& edit) { return edit.first == &call; });
  withdrawn_.insert(call.row_.call_id);
}

void RowEdits::Emit(Seq seq, const std::string& node, std::vector<RowChange>* changes) {
  for (const auto& key : withdrawn_) {
    RowChange change;
    change.op = RowChange::Op::kDelete;
    change.row.node = node;
    change.row.call_id = key;
    changes->push_back(std::move(change));
  }
  for (auto& [call, before] : edited_) {
    CallRow& row = call->row_;
    // Unchanged but for last_seq? Then nothing happened to this row. (A
    // new row's pre-image has no first_seq: it is always emitted.)
    const Seq last = row.last_seq;
    row.last_seq = before.last_seq;
    const bool same = before.first_seq.value != 0 && row == before;
    row.last_seq = last;
    if (same) continue;
    if (row.first_seq.value == 0) row.first_seq = seq;
    row.last_seq = seq;
    changes->push_back(RowChange{RowChange::Op::kUpsert, row});
  }
}

}  // namespace callledger::fold
