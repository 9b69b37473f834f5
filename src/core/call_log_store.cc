#include "core/call_log_store.h"

#include <map>
#include <utility>

namespace callledger {
namespace {

// The default replacement: gathers the new set, then one ReplaceAll.
class BufferedReplacement final : public RowReplacement {
 public:
  BufferedReplacement(CallLogStore& store, std::string node)
      : store_(store), node_(std::move(node)) {}

  Status Add(std::vector<CallRow> rows) override {
    RETURN_IF_ERROR(status_);
    for (CallRow& r : rows) {
      if (Status s = Take(std::move(r)); !s.ok()) return Fail(std::move(s));
    }
    return Status::Ok();
  }

  Status Finish(std::span<const CallRow> rows, std::span<const std::string> withdrawn,
                Seq checkpoint) override {
    RETURN_IF_ERROR(status_);
    if (finished_) return Fail(Internal("replacement of node '" + node_ + "' finished twice"));
    for (const std::string& id : withdrawn) {
      if (rows_.erase(id) == 0) {
        return Fail(InvalidInput("withdrawn call_id '" + id + "' was not added"));
      }
    }
    for (const CallRow& r : rows) {
      if (Status s = Take(r); !s.ok()) return Fail(std::move(s));
    }
    std::vector<CallRow> all;
    all.reserve(rows_.size());
    for (auto& [id, r] : rows_) all.push_back(std::move(r));
    rows_.clear();
    if (Status s = store_.ReplaceAll(node_, all, checkpoint); !s.ok()) return Fail(std::move(s));
    finished_ = true;
    return Status::Ok();
  }

 private:
  Status Take(CallRow row) {
    auto [it, added] = rows_.try_emplace(row.call_id);
    if (!added) {
      return InvalidInput("call_id '" + row.call_id + "' given twice to the replacement of node '" +
                          node_ + "'");
    }
    it->second = std::move(row);
    return Status::Ok();
  }
  Status Fail(Status s) {
    status_ = s;
    return s;
  }

  CallLogStore& store_;
  const std::string node_;
  std::map<std::string, CallRow> rows_;
  Status status_;
  bool finished_ = false;
};

}  // namespace

Result<CheckpointRows> CallLogStore::RowsAtCheckpoint(std::string_view node) {
  ASSIGN_OR_RETURN(const Seq checkpoint, Checkpoint(node));
  ASSIGN_OR_RETURN(std::vector<CallRow> rows, AllRows(node));
  return CheckpointRows{checkpoint, std::move(rows)};
}

Result<std::unique_ptr<RowReplacement>> CallLogStore::BeginReplace(std::string_view node) {
  return std::unique_ptr<RowReplacement>(new BufferedReplacement(*this, std::string(node)));
}

}  // namespace callledger
