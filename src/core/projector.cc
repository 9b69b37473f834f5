#include "core/projector.h"

#include <algorithm>
#include <array>

#include "core/q850.h"

namespace callledger {
namespace {

constexpr std::string_view kIncoming = "kiruvchi";
constexpr std::string_view kOutgoing = "chiquvchi";

// Splits Stasis app data "app,arg0,arg1" on commas: first the app name.
std::pair<std::string, std::vector<std::string>> SplitAppData(const std::string& data) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = data.find(',', start);
    parts.push_back(
        data.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::string app = parts.front();
  parts.erase(parts.begin());
  return {app, parts};
}

// Channels Asterisk puts into bridges for its own purposes, not parties.
bool IsInternalChannel(const std::string& name) {
  return name.starts_with("Announcer/") || name.starts_with("Recorder/") ||
         name.starts_with("Snoop/");
}

// The event types the projector reads. ApplyEvent names an event's type
// once and then branches on it: comparing the type string at every branch
// cost more than some of the rules themselves.
enum class EventType : std::uint8_t {
  kOther,  // read by no rule
  kStasisStart,
  kStasisEnd,
  kChannelDialplan,
  kChannelVarset,
  kChannelCreated,
  kChannelDestroyed,
  kChannelHangupRequest,
  kChannelStateChange,
  kChannelCallerId,
  kDial,
  kChannelEnteredBridge,
  kChannelLeftBridge,
  kBridgeDestroyed,
  kBridgeMerged,
  kRecording,  // RecordingStarted, RecordingFinished, RecordingFailed
};

EventType TypeOf(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, EventType>, 17> kTypes{{
      {"StasisStart", EventType::kStasisStart},
      {"StasisEnd", EventType::kStasisEnd},
      {"ChannelDialplan", EventType::kChannelDialplan},
      {"ChannelVarset", EventType::kChannelVarset},
      {"ChannelCreated", EventType::kChannelCreated},
      {"ChannelDestroyed", EventType::kChannelDestroyed},
      {"ChannelHangupRequest", EventType::kChannelHangupRequest},
      {"ChannelStateChange", EventType::kChannelStateChange},
      {"ChannelCallerId", EventType::kChannelCallerId},
      {"Dial", EventType::kDial},
      {"ChannelEnteredBridge", EventType::kChannelEnteredBridge},
      {"ChannelLeftBridge", EventType::kChannelLeftBridge},
      {"BridgeDestroyed", EventType::kBridgeDestroyed},
      {"BridgeMerged", EventType::kBridgeMerged},
      {"RecordingStarted", EventType::kRecording},
      {"RecordingFinished", EventType::kRecording},
      {"RecordingFailed", EventType::kRecording},
  }};
  for (const auto& [name, t] : kTypes) {
    if (name == type) return t;
  }
  return EventType::kOther;
}

}  // namespace

Projector::Projector(std::string node) : node_(std::move(node)) {}

bool Projector::ReadsEventType(std::string_view type) { return TypeOf(type) != EventType::kOther; }

bool Projector::ReadsVariable(std::string_view name) {
  return name == "MIXMONITOR_FILENAME" || name == "STASISSTATUS";
}

bool Projector::ReadsDialplanApp(std::string_view app) { return app == "Stasis"; }

std::vector<CallRow> Projector::LiveRows() const {
  std::vector<CallRow> out;
  for (const auto& [key, call] : calls_) {
    if (call.row.status != CallStatus::kFinished) out.push_back(call.row);
  }
  return out;
}

Projector::Call& Projector::Touch(Call& call) {
  for (const auto& [key, before] : touched_) {
    if (key == call.row.call_id) return call;
  }
  touched_.emplace_back(call.row.call_id, call.row);
  return call;
}

Projector::Call* Projector::CallOf(const Channel& ch) {
  if (ch.call_key.empty()) return nullptr;
  auto c = calls_.find(ch.call_key);
  return c == calls_.end() ? nullptr : &c->second;
}

Projector::Call* Projector::CallOrLegOf(const Channel& ch) {
  if (Call* c = CallOf(ch)) return c;
  if (ch.leg_of.empty()) return nullptr;
  auto c = calls_.find(ch.leg_of);
  return c == calls_.end() ? nullptr : &c->second;
}

Projector::Call* Projector::CallOfChannel(const std::string& channel_id) {
  auto it = channels_.find(channel_id);
  return it == channels_.end() ? nullptr : CallOf(it->second);
}

void Projector::Apply(const ProjectorInput& in, std::vector<RowChange>* changes) {
  current_seq_ = in.seq.value;
  last_seq_ = in.seq;
  touched_.clear();
  deleted_.clear();
  switch (in.kind) {
    case RecordKind::kAriEvent:
      if (in.event != nullptr)
        ApplyEvent(*in.event, in.event->time_us ? in.event->time_us : in.time_us);
      break;
    case RecordKind::kReconcile:
      if (in.reconcile != nullptr) ApplyReconcile(*in.reconcile, in.time_us);
      break;
    case RecordKind::kNote:
      ApplyOptions(in.options);
      break;
    case RecordKind::kGap:
      // Events may be missing before this point; the reconcile record that
      // follows says what Asterisk had, and settles what we knew before it.
      gap_seq_ = in.seq.value;
      awaiting_reconcile_ = true;
      destroyed_since_gap_.clear();
      break;
    default:
      break;  // malformed, unknown: nothing to project
  }
  for (const auto& key : deleted_) {
    RowChange ch;
    ch.op = RowChange::Op::kDelete;
    ch.row.node = node_;
    ch.row.call_id = key;
    changes->push_back(std::move(ch));
  }
  for (auto& [key, before] : touched_) {
    auto it = calls_.find(key);
    if (it == calls_.end()) continue;
    CallRow& row = it->second.row;
    // Unchanged but for last_seq? Then nothing happened to this row.
    const Seq last = row.last_seq;
    row.last_seq = before.last_seq;
    const bool same = before.first_seq.value != 0 && row == before;
    row.last_seq = last;
    if (same) continue;
    if (row.first_seq.value == 0) row.first_seq = in.seq;
    row.last_seq = in.seq;
    changes->push_back(RowChange{RowChange::Op::kUpsert, row});
    by_last_seq_.emplace_back(in.seq.value, key);
  }
  if (current_seq_ % 10000 == 0) Sweep();
}

void Projector::ApplyOptions(const std::vector<std::pair<std::string, std::string>>& options) {
  for (const auto& [key, value] : options) {
    if (key == "call_app" && !value.empty()) options_.call_app = value;
    if (key == "recordings_dir") options_.recordings_dir = value;
  }
}

Projector::Channel& Projector::Observe(const ChannelSnapshot& snap) {
  Channel& ch = channels_[snap.id];
  if (ch.id.empty()) ch.id = snap.id;
  ch.state = snap.state;
  ch.internal = IsInternalChannel(snap.name);
  // Keep the first creation time.
  if (ch.creation_us == 0) ch.creation_us = snap.creation_us;
  ch.last_seen = current_seq_;
  // An originated leg's snapshot shows Stasis(app, role, <call channel>) once
  // it is in the application: that links it to its call on either stream.
  if (ch.call_key.empty() && ch.leg_of.empty() && snap.dialplan_app == "Stasis") {
    auto [app, args] = SplitAppData(snap.dialplan_app_data);
    if (app == options_.call_app) LinkLegByArgs(ch, args);
  }
  return ch;
}

void Projector::LinkLegByArgs(Channel& ch, const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a.empty() || a == ch.id) continue;
    if (Call* c = CallOfChannel(a)) {
      ch.leg_of = c->row.call_id;
      return;
    }
    if (auto it = calls_.find(a); it != calls_.end()) {
      ch.leg_of = it->first;
      return;
    }
  }
}

void Projector::SetBridge(const BridgeSnapshot& b) {
  auto& members = bridges_[b.id];
  for (const auto& id : members) {
    if (auto it = channels_.find(id); it != channels_.end()) it->second.bridges.erase(b.id);
  }
  members = std::set<std::string>(b.channels.begin(), b.channels.end());
  for (const auto& id : members) {
    if (auto it = channels_.find(id); it != channels_.end()) it->second.bridges.insert(b.id);
  }
}

void Projector::EnterStasis(const ChannelSnapshot& snap, const std::vector<std::string>& args,
                            std::int64_t time_us) {
  Channel& ch = Observe(snap);
  if (!ch.call_key.empty()) {
    // The same channel re-enters Stasis: one call, reopened if it had ended.
    auto it = calls_.find(ch.call_key);
    if (it == calls_.end()) return;
    Call& call = Touch(it->second);
    if (call.row.status == CallStatus::kFinished) {
      call.row.status = call.row.answered ? CallStatus::kTalking : CallStatus::kRinging;
      call.row.end_us = 0;
      call.row.duration_s.reset();
      call.row.talk_s.reset();
      if (!call.row.answered) call.row.ring_s.reset();
      call.row.disposition.clear();
      call.row.hangup_cause.reset();
      call.row.hangup_cause_txt.clear();
      call.row.end_estimated = false;
      call.end_source = EndSource::kNone;
    }
    return;
  }
  // A dialled channel, or one whose arguments name a known call, is a leg.
  if (!ch.leg_of.empty() || ch.dial_peer) return;
  LinkLegByArgs(ch, args);
  if (!ch.leg_of.empty()) return;

  std::string key = !args.empty() && !args[0].empty() ? args[0] : snap.id;
  bool key_from_args = key != snap.id;
  if (auto it = calls_.find(key); it != calls_.end() && it->second.row.channel_id != snap.id) {
    // args[0] already names another channel's call: never merge two calls.
    key = snap.id;
    key_from_args = false;
  }
  Call& call = calls_[key];
  CallRow& row = call.row;
  touched_.emplace_back(key, row);  // pre-image: an empty row, so it is emitted
  row.node = node_;
  row.call_id = key;
  row.channel_id = snap.id;
  const bool direction_ok = args.size() > 1 && (args[1] == kIncoming || args[1] == kOutgoing);
  row.direction = direction_ok ? args[1] : std::string();
  row.from_number = args.size() > 2 && !args[2].empty() ? args[2] : snap.caller_number;
  row.to_number = args.size() > 3 && !args[3].empty() ? args[3] : snap.dialplan_exten;
  row.caller_name = snap.caller_name;
  row.start_us = ch.creation_us != 0 ? ch.creation_us : time_us;
  row.status = CallStatus::kRinging;
  row.args_ok = key_from_args && direction_ok && args.size() >= 4;
  row.recording_path = ch.mixmonitor;
  ch.call_key = key;
  CheckConnected(snap.id, time_us);
}

void Projector::EndCall(Call& call, std::int64_t time_us, EndSource source,
                        std::optional<int> cause, const std::string& cause_txt) {
  CallRow& row = Touch(call).row;
  if (row.status == CallStatus::kFinished) {
    // ChannelDestroyed is the true end; it may follow StasisEnd.
    if (!(source == EndSource::kDestroyed && call.end_source == EndSource::kStasisEnd)) return;
  }
  call.end_source = source;
  row.status = CallStatus::kFinished;
  row.end_us = time_us;
  row.end_estimated = source == EndSource::kReconcile;
  row.duration_s = RoundedSeconds(row.start_us, row.end_us);
  if (row.answered) {
    row.ring_s = RoundedSeconds(row.start_us, row.answer_us);
    row.talk_s = RoundedSeconds(row.answer_us, row.end_us);
  } else {
    row.ring_s = RoundedSeconds(row.start_us, row.end_us);
    row.talk_s.reset();
  }
  std::optional<int> effective = cause && *cause != q850::kNotDefined ? cause : call.hard_cause;
  if (effective && *effective != q850::kNotDefined) {
    row.hangup_cause = effective;
    if (cause && *cause == *effective && !cause_txt.empty()) {
      row.hangup_cause_txt = cause_txt;  // the event's own words
    } else {
      row.hangup_cause_txt = q850::Text(*effective);
    }
  } else {
    row.hangup_cause.reset();
    row.hangup_cause_txt.clear();
  }
  if (row.answered) {
    row.disposition = "answered";
  } else if (row.direction == kIncoming) {
    row.disposition = "abandoned";
  } else {
    const int c = row.hangup_cause.value_or(q850::kNotDefined);
    const std::string& ds = call.leg_dialstatus;
    if (c == q850::kUserBusy || ds == "BUSY")
      row.disposition = "busy";
    else if (c == q850::kCircuitCongestion || c == q850::kNetworkOutOfOrder ||
             c == q850::kSwitchingEquipmentCongestion || c == q850::kRequestedChannelUnavailable ||
             ds == "CONGESTION")
      row.disposition = "congestion";
    else if (c == q850::kNoUserResponse || c == q850::kNoAnswer || ds == "NOANSWER")
      row.disposition = "no_answer";
    else if (ds == "CHANUNAVAIL")
      row.disposition = "failed";
    else
      row.disposition = "unanswered";
  }
}

void Projector::CheckConnected(const std::string& channel_id, std::int64_t time_us) {
  Call* call = CallOfChannel(channel_id);
  if (call == nullptr || call->row.answered || call->row.status == CallStatus::kFinished) return;
  const Channel& ch = channels_[channel_id];
  for (const auto& bridge_id : ch.bridges) {
    auto b = bridges_.find(bridge_id);
    if (b == bridges_.end()) continue;
    for (const auto& other : b->second) {
      if (other == channel_id) continue;
      auto o = channels_.find(other);
      if (o == channels_.end() || o->second.state != "Up" || o->second.internal) continue;
      CallRow& row = Touch(*call).row;
      row.answered = true;
      row.answer_us = time_us;
      row.status = CallStatus::kTalking;
      return;
    }
  }
}

void Projector::CheckBridge(const std::string& bridge_id, std::int64_t time_us) {
  auto b = bridges_.find(bridge_id);
  if (b == bridges_.end()) return;
  const std::set<std::string> members = b->second;  // copy: CheckConnected reads bridges_
  for (const auto& id : members) CheckConnected(id, time_us);
}

void Projector::ApplyEvent(const AriEvent& e, std::int64_t t) {
  // What the projector does not read leaves no trace, however it arrives
  // (callers may also skip such events undecoded: the result is the same).
  const EventType type = TypeOf(e.type);
  if (type == EventType::kOther) return;
  if (type == EventType::kChannelVarset && !ReadsVariable(e.variable)) return;
  if (type == EventType::kChannelDialplan && !ReadsDialplanApp(e.dialplan_app)) return;
  // The channels this event names, looked up once: nothing below erases a
  // channel before the ChannelDestroyed rule at the end, and std::map
  // entries stay where they are while others come and go.
  Channel* subject = nullptr;
  if (e.channel) {
    subject = &Observe(*e.channel);
    // A caller name can arrive after the call entered Stasis (ChannelCallerId).
    if (Call* c = CallOf(*subject);
        c != nullptr && c->row.caller_name.empty() && !e.channel->caller_name.empty()) {
      Touch(*c).row.caller_name = e.channel->caller_name;
    }
  }
  Channel* peer = e.peer ? &Observe(*e.peer) : nullptr;
  Channel* caller = e.caller ? &Observe(*e.caller) : nullptr;
  if (e.bridge && type != EventType::kBridgeDestroyed) SetBridge(*e.bridge);
  static const std::string kNoChannel;
  const std::string& channel_id = e.channel ? e.channel->id : kNoChannel;
  // The subject's call (an event without a subject names the channel "").
  auto subject_call = [&] {
    return subject != nullptr ? CallOf(*subject) : CallOfChannel(channel_id);
  };

  if (type == EventType::kStasisStart) {
    if (e.channel && e.application == options_.call_app) EnterStasis(*e.channel, e.args, t);
  } else if (type == EventType::kChannelDialplan) {
    if (e.channel && e.dialplan_app == "Stasis") {
      auto [app, args] = SplitAppData(e.dialplan_app_data);
      if (app == options_.call_app) {
        const bool known = CallOf(*subject) != nullptr;
        EnterStasis(*e.channel, args, t);
        if (!known) {
          if (Call* c = CallOf(*subject)) c->from_dialplan = true;
        }
      }
    }
  } else if (type == EventType::kStasisEnd) {
    if (Call* c = subject_call(); c != nullptr && e.application == options_.call_app) {
      EndCall(*c, t, EndSource::kStasisEnd, std::nullopt, {});
    }
  } else if (type == EventType::kChannelDestroyed) {
    if (Call* c = subject_call()) {
      EndCall(*c, t, EndSource::kDestroyed, e.cause, e.cause_txt);
    }
  } else if (type == EventType::kChannelHangupRequest) {
    if (Call* c = subject_call();
        c != nullptr && !e.soft && e.cause && *e.cause != q850::kNotDefined) {
      c->hard_cause = e.cause;
    }
  } else if (type == EventType::kChannelVarset) {
    if (e.variable == "MIXMONITOR_FILENAME" && !channel_id.empty()) {
      subject->mixmonitor = e.value;
    }
    if (Call* c = subject_call()) {
      if (e.variable == "MIXMONITOR_FILENAME" && !e.value.empty()) {
        Touch(*c).row.recording_path = e.value;
      } else if (e.variable == "STASISSTATUS" && e.value == "FAILED" && c->from_dialplan &&
                 c->row.status != CallStatus::kFinished) {
        // The dialplan asked for Stasis but the application was not there
        // (a typo, or it was down): the channel never was in Stasis.
        const std::string key = c->row.call_id;
        channels_[channel_id].call_key.clear();
        calls_.erase(key);
        std::erase_if(touched_, [&](const auto& entry) { return entry.first == key; });
        deleted_.insert(key);
      }
    }
  } else if (type == EventType::kDial) {
    if (peer != nullptr) {
      peer->dial_peer = true;
      if (caller != nullptr && peer->leg_of.empty()) {
        if (Call* c = CallOrLegOf(*caller)) peer->leg_of = c->row.call_id;
      }
      const std::string& ds = e.dialstatus;
      if (ds == "ANSWER" || ds == "BUSY" || ds == "NOANSWER" || ds == "CONGESTION" ||
          ds == "CHANUNAVAIL") {
        if (Call* c = CallOrLegOf(*peer)) {
          if (c->row.status != CallStatus::kFinished) c->leg_dialstatus = ds;
        }
        if (ds == "ANSWER" && caller != nullptr) {
          if (Call* c = CallOf(*caller);
              c != nullptr && !c->row.answered && c->row.status != CallStatus::kFinished) {
            CallRow& row = Touch(*c).row;
            row.answered = true;
            row.answer_us = t;
            row.status = CallStatus::kTalking;
          }
        }
      }
    }
  } else if (type == EventType::kRecording) {
    const std::string& target = e.recording_target;
    std::vector<std::string> channels;
    if (target.starts_with("bridge:")) {
      auto b = bridges_.find(target.substr(7));
      if (b != bridges_.end()) channels.assign(b->second.begin(), b->second.end());
    } else if (target.starts_with("channel:")) {
      channels.push_back(target.substr(8));
    }
    if (!e.recording_name.empty()) {
      std::string path = options_.recordings_dir;
      if (!path.empty() && path.back() != '/') path += '/';
      path += e.recording_name;
      if (!e.recording_format.empty()) path += "." + e.recording_format;
      for (const auto& id : channels) {
        if (Call* c = CallOfChannel(id); c != nullptr && c->row.recording_path.empty()) {
          Touch(*c).row.recording_path = path;
        }
      }
    }
  }

  // Connection can change when bridges or states change.
  if (e.bridge) CheckBridge(e.bridge->id, t);
  if (type == EventType::kChannelStateChange && !channel_id.empty()) {
    const std::set<std::string> bridges = subject->bridges;
    for (const auto& b : bridges) CheckBridge(b, t);
  }
  if (type == EventType::kBridgeDestroyed && e.bridge) {
    auto b = bridges_.find(e.bridge->id);
    if (b != bridges_.end()) {
      for (const auto& id : b->second) {
        if (auto it = channels_.find(id); it != channels_.end())
          it->second.bridges.erase(e.bridge->id);
      }
      bridges_.erase(b);
    }
  }
  if (type == EventType::kChannelDestroyed && !channel_id.empty()) {
    if (awaiting_reconcile_) destroyed_since_gap_.insert(channel_id);
    auto it = channels_.find(channel_id);
    if (it != channels_.end()) {
      for (const auto& b : it->second.bridges) {
        if (auto bi = bridges_.find(b); bi != bridges_.end()) bi->second.erase(channel_id);
      }
      channels_.erase(it);
    }
  }
}

void Projector::ApplyReconcile(const ReconcileSnapshot& snap, std::int64_t t) {
  // The snapshot was taken after the daemon reconnected, while frames kept
  // arriving: everything seen since the gap record is newer than or as new
  // as the snapshot and stands. Only what we knew before the gap is settled
  // by it. (A reconcile without a gap before it settles everything before
  // itself.)
  const std::uint64_t before = gap_seq_ != 0 ? gap_seq_ : current_seq_;
  std::set<std::string> live;
  for (const auto& ch : snap.channels) {
    if (destroyed_since_gap_.count(ch.id) == 0) live.insert(ch.id);
  }
  // Calls believed live, known before the gap, whose channel Asterisk no
  // longer has: they ended in the gap.
  for (auto& [key, call] : calls_) {
    if (call.row.status != CallStatus::kFinished && call.row.first_seq.value < before &&
        live.count(call.row.channel_id) == 0) {
      const auto ch = channels_.find(call.row.channel_id);
      if (ch != channels_.end() && ch->second.last_seen >= before) continue;  // heard of since
      EndCall(call, t, EndSource::kReconcile, std::nullopt, {});
    }
  }
  // Forget channels Asterisk no longer has and we have not heard of since.
  std::set<std::string> forgotten;
  for (auto it = channels_.begin(); it != channels_.end();) {
    if (live.count(it->first) == 0 && it->second.last_seen < before) {
      forgotten.insert(it->first);
      it = channels_.erase(it);
    } else {
      ++it;
    }
  }
  // A bridge is fresh when a member was heard of since the gap: events
  // then know its membership better than the snapshot.
  auto fresh = [&](const std::set<std::string>& members) {
    return std::any_of(members.begin(), members.end(), [&](const std::string& id) {
      const auto c = channels_.find(id);
      return c != channels_.end() && c->second.last_seen >= before;
    });
  };
  std::set<std::string> in_snapshot;
  for (const auto& b : snap.bridges) in_snapshot.insert(b.id);
  for (auto it = bridges_.begin(); it != bridges_.end();) {
    for (const auto& id : forgotten) it->second.erase(id);
    const bool gone =
        it->second.empty() || (in_snapshot.count(it->first) == 0 && !fresh(it->second));
    if (gone) {
      for (const auto& id : it->second) {
        if (auto c = channels_.find(id); c != channels_.end()) c->second.bridges.erase(it->first);
      }
      it = bridges_.erase(it);
    } else {
      ++it;
    }
  }
  // Take from the snapshot what events since the gap have not told us
  // (freshness judged before the snapshot's own channels are observed).
  std::set<std::string> take;
  for (const auto& b : snap.bridges) {
    const auto known = bridges_.find(b.id);
    if (known == bridges_.end() || !fresh(known->second)) take.insert(b.id);
  }
  for (const auto& ch : snap.channels) {
    if (live.count(ch.id) == 0) continue;  // destroyed since: the snapshot is older
    const auto known = channels_.find(ch.id);
    if (known == channels_.end() || known->second.last_seen < before) Observe(ch);
  }
  for (const auto& b : snap.bridges) {
    if (take.count(b.id) != 0) SetBridge(b);
  }
  // Live channels in Stasis(call app) that we do not know: calls that began
  // in the gap, opened from the snapshot. Channels whose arguments name
  // another live channel (legs the application originated for a call) go
  // second, so their call exists when they are linked to it.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& ch : snap.channels) {
      if (live.count(ch.id) == 0 || ch.dialplan_app != "Stasis") continue;
      auto [app, args] = SplitAppData(ch.dialplan_app_data);
      if (app != options_.call_app) continue;
      const bool names_live_channel =
          std::any_of(args.begin(), args.end(),
                      [&](const std::string& a) { return a != ch.id && live.count(a) != 0; });
      if (names_live_channel != (pass == 1)) continue;
      const Channel& known = channels_[ch.id];
      if (!known.call_key.empty() || !known.leg_of.empty()) continue;
      EnterStasis(ch, args, t);
    }
  }
  for (const auto& b : snap.bridges) CheckBridge(b.id, t);
  awaiting_reconcile_ = false;
  destroyed_since_gap_.clear();
}

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
    if (auto it = calls_.find(key); it != calls_.end() && it->second.row.last_seq.value == seq &&
                                    it->second.row.status == CallStatus::kFinished) {
      if (auto ch = channels_.find(it->second.row.channel_id); ch != channels_.end()) {
        ch->second.call_key.clear();
      }
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
