// The projector's state is bounded: a finished call, and a channel not heard
// of, are forgotten kEvictAfterRecords records after their last news. The
// sweep runs every 10,000 records, after the record's changes are emitted,
// in seq order: what it forgets depends on the records alone.
#include "core/projector.h"

namespace callledger {

void Projector::Sweep() {
  const std::uint64_t horizon =
      current_seq_ > kEvictAfterRecords ? current_seq_ - kEvictAfterRecords : 0;
  // Finished calls whose last change is older than the horizon go. A call's
  // last_seq and status change together (a status change is a row change),
  // so a call that was not finished when its entry passed the horizon has
  // a newer entry if it finished since. Erasing them in seq order instead
  // of key order clears the same channels' call_key.
  while (!by_last_seq_.empty() && by_last_seq_.front().first < horizon) {
    const auto& [seq, key] = by_last_seq_.front();
    if (auto it = calls_.find(key); it != calls_.end() && it->second.row().last_seq.value == seq &&
                                    it->second.row().status == CallStatus::kFinished) {
      if (auto ch = channels_.find(it->second.row().channel_id); ch != channels_.end()) {
        ch->second.call_key.clear();
      }
      ForgetCallNumber(it->second);
      calls_.erase(it);
    }
    by_last_seq_.pop_front();
  }
  for (auto it = channels_.begin(); it != channels_.end();) {
    const bool stale = it->second.last_seen < horizon &&
                       (it->second.call_key.empty() || calls_.count(it->second.call_key) == 0);
    it = stale ? channels_.erase(it) : std::next(it);
  }
}

}  // namespace callledger
