// One handler per ARI event type the projector reads. Each says which call
// the event concerns and which column rule (core/call_rules.h) it brings;
// none writes a column itself. OnAriEvent (projector.cc) calls them.
#include <string>

#include "core/agent_rules.h"
#include "core/call_rules.h"
#include "core/projector.h"
#include "core/q850.h"
#include "core/stasis_app_data.h"

namespace callledger {

using fold::CallEnd;
using fold::EndSource;

void Projector::OnStasisStart(const ObservedEvent& ev) {
  const AriEvent& e = ev.ari;
  if (e.channel && e.application == options_.call_app) EnterStasis(*e.channel, e.args, ev.time_us);
}

// The observer stream's Stasis entry: the dialplan running Stasis(app,...).
void Projector::OnChannelDialplan(const ObservedEvent& ev) {
  const AriEvent& e = ev.ari;
  if (!e.channel || e.dialplan_app != "Stasis") return;
  const fold::StasisAppData data = fold::SplitAppData(e.dialplan_app_data);
  if (data.app != options_.call_app) return;
  if (Call* opened = EnterStasis(*e.channel, data.args, ev.time_us)) opened->from_dialplan = true;
}

// The call channel left the application: the call ended then, unless a
// hangup request ended it first (the app stream never sees the channel
// destroyed; a channel that comes back into Stasis reopens its call).
void Projector::OnStasisEnd(const ObservedEvent& ev) {
  if (Call* c = SubjectCall(ev); c != nullptr && ev.ari.application == options_.call_app) {
    fold::EndCall(edits_, *c, CallEnd{ev.time_us, EndSource::kStasisEnd, std::nullopt, {}});
  }
}

// The end when nothing ended the call before; else only its cause. On a
// loaded PBX this comes seconds after the hangup.
void Projector::OnChannelDestroyed(const ObservedEvent& ev) {
  if (ev.subject != nullptr) {
    // Cause 0 says nothing (a busy Local leg's ;1 half ends with it): the
    // leg's outcome is its Dial status, or unknown when a gap hid that.
    const bool said = ev.ari.cause && *ev.ari.cause != q850::kNotDefined;
    LegShows(*ev.subject, ev.subject->up ? LegOutcome::kAnswered
                          : said         ? fold::OutcomeOfCause(ev.ari.cause)
                                         : LegOutcome::kUnknown);
  }
  Call* c = SubjectCall(ev);
  if (c != nullptr && c->row().status != CallStatus::kFinished && c->cel_exit_us != 0 &&
      c->cel_exit_us > c->last_heard_us && c->cel_exit_us <= ev.time_us) {
    // CEL showed the channel leave its last bridge, and ARI has heard
    // nothing of it since: it was hung up then; this only comes late.
    fold::EndCall(edits_, *c,
                  CallEnd{c->cel_exit_us, EndSource::kCel, ev.ari.cause, ev.ari.cause_txt});
    fold::MarkEvidence(edits_, *c, Evidence::kCel);
    return;
  }
  if (c != nullptr) {
    fold::EndCall(edits_, *c,
                  CallEnd{ev.time_us, EndSource::kDestroyed, ev.ari.cause, ev.ari.cause_txt});
  }
}

// The call channel's first hangup request that hangs it up is the end of
// the call. A hard (not `soft`) request's cause is kept for the row: the
// channel's ChannelDestroyed may bring none. Soft causes are Asterisk's
// own flags (32 = ARI hangup), never Q.850.
void Projector::OnChannelHangupRequest(const ObservedEvent& ev) {
  const AriEvent& e = ev.ari;
  Call* c = SubjectCall(ev);
  if (c == nullptr) return;
  if (!e.soft && e.cause && *e.cause != q850::kNotDefined) c->hard_cause = e.cause;
  if (fold::HangsUp(e.soft, e.cause)) {
    fold::EndCall(edits_, *c, CallEnd{ev.time_us, EndSource::kHangupRequest, std::nullopt, {}});
  }
}

void Projector::OnChannelVarset(const ObservedEvent& ev) {
  const AriEvent& e = ev.ari;
  const bool mixmonitor = e.variable == "MIXMONITOR_FILENAME";
  // Kept on the channel too: MixMonitor often starts before Stasis.
  if (mixmonitor && !ev.channel_id.empty()) {
    ev.subject->mixmonitor = e.value;
    ev.subject->mixmonitor_from_cel = false;
  }
  Call* c = SubjectCall(ev);
  if (c == nullptr) return;
  if (mixmonitor) {
    fold::SetRecording(edits_, *c, e.value, fold::RecordingFrom::kMixMonitor);
  } else if (e.variable == "STASISSTATUS" && e.value == "FAILED" && c->from_dialplan &&
             c->row().status != CallStatus::kFinished) {
    // The dialplan asked for Stasis but the application was not there (a
    // typo, or it was down): the channel never was in Stasis.
    Withdraw(*c, channels_[ev.channel_id]);
  }
}

// A Dial links the dialled channel to the call as a leg; a final status is
// kept for the call's disposition, and ANSWER connects the calling party.
void Projector::OnDial(const ObservedEvent& ev) {
  Channel* peer = ev.peer;
  Channel* caller = ev.caller;
  if (peer == nullptr) return;
  peer->dial_peer = true;
  if (caller != nullptr && peer->leg_of.empty()) {
    if (Call* c = CallOrLegOf(*caller)) peer->leg_of = c->row().call_id;
  }
  OnLegDial(ev);
  const std::string& status = ev.ari.dialstatus;
  if (!fold::dial_status::IsFinal(status)) return;
  if (Call* c = CallOrLegOf(*peer); c != nullptr && c->row().status != CallStatus::kFinished) {
    c->leg_dialstatus = status;
  }
  if (status == fold::dial_status::kAnswer && caller != nullptr) {
    if (Call* c = CallOf(*caller)) {
      const bool awaited = fold::AwaitsConnection(c->row());
      fold::MarkConnected(
          edits_, *c,
          fold::Connection{ev.time_us, caller->up_us, peer->up_us, peer->creation_us,
                           caller->up_estimated || peer->up_estimated});
      if (awaited) {
        NoteParty(*c, *peer, PartyJoin::kAnswered);
      } else if (c->row().status != CallStatus::kFinished) {
        NoteParty(*c, *peer, PartyJoin::kLater);
      }
    }
  }
}

// An ARI recording of a channel or of a bridge: the file of every call
// recorded, <recordings_dir>/<name>.<format>.
void Projector::OnRecording(const ObservedEvent& ev) {
  const AriEvent& e = ev.ari;
  if (e.recording_name.empty()) return;
  const std::string& target = e.recording_target;
  std::vector<std::string> channels;
  if (target.starts_with("bridge:")) {
    auto b = bridges_.find(target.substr(7));
    if (b != bridges_.end()) channels.assign(b->second.begin(), b->second.end());
  } else if (target.starts_with("channel:")) {
    channels.push_back(target.substr(8));
  }
  std::string path = options_.recordings_dir;
  if (!path.empty() && path.back() != '/') path += '/';
  path += e.recording_name;
  if (!e.recording_format.empty()) path += "." + e.recording_format;
  for (const auto& id : channels) {
    if (Call* c = CallOfChannel(id)) {
      fold::SetRecording(edits_, *c, path, fold::RecordingFrom::kAriRecording);
    }
  }
}

// A channel that answered may connect the calls in its bridges.
void Projector::OnChannelStateChange(const ObservedEvent& ev) {
  if (ev.channel_id.empty()) return;
  if (ev.subject->up) LegShows(*ev.subject, LegOutcome::kAnswered);
  for (const auto& b : ev.subject->bridges) CheckBridge(b, ev.time_us);
}

void Projector::OnBridgeDestroyed(const ObservedEvent& ev) {
  if (!ev.ari.bridge) return;
  const std::string& id = ev.ari.bridge->id;
  auto b = bridges_.find(id);
  if (b == bridges_.end()) return;
  for (const auto& member : b->second) {
    if (auto it = channels_.find(member); it != channels_.end()) it->second.bridges.erase(id);
  }
  bridges_.erase(b);
}

// After its call's end: a destroyed channel is gone for good.
void Projector::ForgetDestroyedChannel(const ObservedEvent& ev) {
  if (!ev.channel_id.empty()) ForgetChannel(ev.channel_id);
}

Projector::Call* Projector::EnterStasis(const ChannelSnapshot& snap,
                                        const std::vector<std::string>& args,
                                        std::int64_t time_us) {
  Channel& ch = Observe(snap, time_us);
  if (ch.call_key.empty()) {
    // A dialled channel, or one whose arguments name a known call, is a
    // leg (a dialled one is linked by its arguments all the same: its
    // ringing may not have told whose it was, core/projector_agents.cc).
    if (!ch.leg_of.empty()) return nullptr;
    LinkLegByArgs(ch, args, time_us);
    if (ch.dial_peer || !ch.leg_of.empty() || ArgsNameAnotherChannel(args, snap.id)) {
      return nullptr;
    }
    std::string key = CallKeyFor(snap.id, args);
    const auto [it, fresh] = calls_.try_emplace(key);
    ch.call_key = std::move(key);
    if (fresh) {
      const std::string& call_id = it->first;
      const bool key_from_args = !args.empty() && call_id == args[0] && call_id != snap.id;
      fold::OpenCall(
          edits_, it->second,
          fold::CallOpening{node_, call_id, key_from_args, snap, args,
                            ch.creation_us != 0 ? ch.creation_us : time_us, ch.mixmonitor});
      OpenAgents(it->second, snap);
      if (ch.mixmonitor_from_cel && !ch.mixmonitor.empty()) {
        fold::MarkEvidence(edits_, it->second, Evidence::kCel);  // its recording came from CEL
      }
      CheckConnected(snap.id, time_us);
      return &it->second;
    }
    // This channel's own call, kept while the channel was forgotten (a
    // reconcile that did not list it): the channel is back, as below.
  }
  // The same channel re-enters Stasis: one call, reopened if it had ended.
  if (Call* call = CallOf(ch)) fold::Reopen(edits_, *call);
  return nullptr;
}

// args[0], or the channel id when it is empty or already keys another
// channel's call (two calls are never merged); when the channel id too keys
// another channel's call (whose args[0] was this channel's id), the channel
// id with "#2", "#3", ... A key of this channel's own call is kept.
std::string Projector::CallKeyFor(const std::string& channel_id,
                                  const std::vector<std::string>& args) {
  const auto ours_or_unused = [&](const std::string& key) {
    const auto it = calls_.find(key);
    return it == calls_.end() || it->second.row().channel_id == channel_id;
  };
  if (!args.empty() && !args[0].empty() && ours_or_unused(args[0])) return args[0];
  if (ours_or_unused(channel_id)) return channel_id;
  for (int n = 2;; ++n) {
    std::string key = channel_id + "#" + std::to_string(n);
    if (ours_or_unused(key)) return key;
  }
}

void Projector::Withdraw(Call& call, Channel& channel) {
  const std::string key = call.row().call_id;
  if (withdrawn_.insert(channel.id).second) {
    withdrawn_order_.push_back(channel.id);
    if (withdrawn_order_.size() > kRememberWithdrawn) {
      withdrawn_.erase(withdrawn_order_.front());
      withdrawn_order_.pop_front();
    }
  }
  channel.call_key.clear();
  ForgetCallNumber(call);
  edits_.Withdraw(call);
  calls_.erase(key);
}

}  // namespace callledger
