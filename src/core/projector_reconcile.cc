// Gaps and reconciliation (DESIGN 4.3, docs/projection.md "Gaps and
// reconciliation"): a `gap` record says events may be missing; the
// `reconcile` record after it holds what Asterisk said was live, and
// settles what the projector knew before the gap.
//
// The snapshot was taken after the daemon reconnected, while frames kept
// arriving: everything heard of since the gap record is as new as the
// snapshot or newer, and stands. Only what was known before the gap is
// settled by it. (A reconcile without a gap before it settles everything
// before itself.)
#include <algorithm>

#include "core/call_rules.h"
#include "core/projector.h"
#include "core/stasis_app_data.h"

namespace callledger {

void Projector::OnGap(Seq seq, std::int64_t time_us, const AsteriskProcess* asterisk) {
  // A run of gaps without a reconcile between them is one window: ARI was
  // last heard from before the first.
  if (!awaiting_reconcile_) gap_heard_us_ = last_event_us_;
  gap_seq_ = seq.value;
  gap_time_us_ = time_us;
  awaiting_reconcile_ = true;
  destroyed_since_gap_.clear();
  // An overflow's CEL window ends at its own gap.
  RememberWindow(time_us, last_event_us_);
  if (asterisk == nullptr) return;
  if (asterisk_ && !(*asterisk_ == *asterisk)) EndCallsOfOldProcess(seq);
  asterisk_ = *asterisk;
}

void Projector::RememberWindow(std::int64_t until_us, std::int64_t heard_us) {
  window_heard_.emplace_back(until_us, heard_us);
  if (window_heard_.size() > 16) window_heard_.pop_front();
}

void Projector::OnReconcile(const ReconcileSnapshot& snap, std::int64_t time_us) {
  const std::uint64_t before = gap_seq_ != 0 ? gap_seq_ : current_seq_;
  // Channels destroyed since the gap are gone, whatever the older snapshot says.
  std::set<std::string> live;
  for (const auto& ch : snap.channels) {
    if (destroyed_since_gap_.count(ch.id) == 0) live.insert(ch.id);
  }
  in_reconcile_ = true;
  EndCallsGoneInGap(live, before, time_us);
  ForgetGone(snap, live, before);
  TakeFromSnapshot(snap, live, before, time_us);
  OpenCallsFromSnapshot(snap, live, time_us);
  for (const auto& b : snap.bridges) CheckBridge(b.id, time_us);
  in_reconcile_ = false;
  // The window of CEL lines this reconcile closes ends at its time.
  RememberWindow(time_us, awaiting_reconcile_ ? gap_heard_us_ : last_event_us_);
  awaiting_reconcile_ = false;
  destroyed_since_gap_.clear();
}

// Calls believed live, known before the gap, whose channel Asterisk no
// longer has: they ended in the gap, at the reconcile's time as far as
// anyone can tell (end_estimated).
void Projector::EndCallsGoneInGap(const std::set<std::string>& live, std::uint64_t before,
                                  std::int64_t time_us) {
  for (auto& [key, call] : calls_) {
    const CallRow& row = call.row();
    if (row.status == CallStatus::kFinished || row.first_seq.value >= before ||
        live.count(row.channel_id) != 0) {
      continue;
    }
    const auto ch = channels_.find(row.channel_id);
    if (ch != channels_.end() && ch->second.last_seen >= before) continue;  // heard of since
    fold::EndCall(edits_, call,
                  fold::CallEnd{time_us, fold::EndSource::kReconcile, std::nullopt, {}});
  }
}

// A bridge is fresh when a member was heard of since the gap: events then
// know its membership better than the snapshot.
bool Projector::HeardOfSince(const std::set<std::string>& members, std::uint64_t before) const {
  return std::any_of(members.begin(), members.end(), [&](const std::string& id) {
    const auto c = channels_.find(id);
    return c != channels_.end() && c->second.last_seen >= before;
  });
}

// Forgets the channels Asterisk no longer has and nobody has heard of since
// the gap, and the bridges it no longer has (unless fresh) or left empty.
void Projector::ForgetGone(const ReconcileSnapshot& snap, const std::set<std::string>& live,
                           std::uint64_t before) {
  std::set<std::string> forgotten;
  for (auto it = channels_.begin(); it != channels_.end();) {
    if (live.count(it->first) == 0 && it->second.last_seen < before) {
      LegShows(it->second, LegOutcome::kUnknown);  // a leg still ringing: its end is not known
      forgotten.insert(it->first);
      it = channels_.erase(it);
    } else {
      ++it;
    }
  }
  std::set<std::string> in_snapshot;
  for (const auto& b : snap.bridges) in_snapshot.insert(b.id);
  for (auto it = bridges_.begin(); it != bridges_.end();) {
    for (const auto& id : forgotten) it->second.erase(id);
    const bool gone = it->second.empty() ||
                      (in_snapshot.count(it->first) == 0 && !HeardOfSince(it->second, before));
    if (gone) {
      for (const auto& id : it->second) {
        if (auto c = channels_.find(id); c != channels_.end()) c->second.bridges.erase(it->first);
      }
      it = bridges_.erase(it);
    } else {
      ++it;
    }
  }
}

// Takes from the snapshot what events since the gap have not told: the
// live channels not heard of since, and the bridges that are not fresh
// (judged before the snapshot's own channels are observed). A channel it
// first shows Up went Up, as far as anyone can tell, at `time_us`.
//
// A bridge Asterisk made after the daemon connected (its creationtime
// after the gap record's time) is left to its events: ARI delivers
// everything after the subscription, and a daemon that reads the
// WebSocket late (a loaded PBX: the fault campaign saw 4 s) can record a
// snapshot before frames stamped earlier than it. Taken, such a bridge
// would join its members before the events that make it (an answer
// dated by a party's Up before the caller's).
void Projector::TakeFromSnapshot(const ReconcileSnapshot& snap, const std::set<std::string>& live,
                                 std::uint64_t before, std::int64_t time_us) {
  std::set<std::string> take;
  for (const auto& b : snap.bridges) {
    if (awaiting_reconcile_ && b.creation_us > gap_time_us_) continue;  // its events tell it
    const auto known = bridges_.find(b.id);
    if (known == bridges_.end() || !HeardOfSince(known->second, before)) take.insert(b.id);
  }
  for (const auto& ch : snap.channels) {
    if (live.count(ch.id) == 0) continue;  // destroyed since: the snapshot is older
    const auto known = channels_.find(ch.id);
    if (known == channels_.end() || known->second.last_seen < before) Observe(ch, time_us);
  }
  for (const auto& b : snap.bridges) {
    if (take.count(b.id) != 0) SetBridge(b);
  }
}

// Live channels in Stasis(call app) that nobody knew: calls that began in
// the gap, opened from the snapshot. Channels whose arguments name another
// live channel (legs the application originated for a call) go second, so
// their call exists when they are linked to it.
void Projector::OpenCallsFromSnapshot(const ReconcileSnapshot& snap,
                                      const std::set<std::string>& live, std::int64_t time_us) {
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& ch : snap.channels) {
      if (live.count(ch.id) == 0 || ch.dialplan_app != "Stasis") continue;
      const fold::StasisAppData data = fold::SplitAppData(ch.dialplan_app_data);
      if (data.app != options_.call_app) continue;
      const bool names_live_channel =
          std::any_of(data.args.begin(), data.args.end(),
                      [&](const std::string& a) { return a != ch.id && live.count(a) != 0; });
      if (names_live_channel != (pass == 1)) continue;
      const Channel& known = channels_[ch.id];
      if (!known.call_key.empty() || !known.leg_of.empty()) continue;
      EnterStasis(ch, data.args, time_us);
    }
  }
}

}  // namespace callledger
