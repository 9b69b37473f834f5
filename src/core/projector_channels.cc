// What the projector knows of channels and bridges, and the evidence of the
// connection rule: a call channel in a bridge with another party that is Up.
// The rule itself (what a connection writes) is fold::MarkConnected.
#include <optional>

#include "core/call_rules.h"
#include "core/endpoint_name.h"
#include "core/projector.h"
#include "core/stasis_app_data.h"

namespace callledger {

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

// The call of the event's subject. (An event without a subject names the
// channel "", which a snapshot without an id may have created.)
Projector::Call* Projector::SubjectCall(const ObservedEvent& ev) {
  return ev.subject != nullptr ? CallOf(*ev.subject) : CallOfChannel(ev.channel_id);
}

Projector::Channel& Projector::Observe(const ChannelSnapshot& snap, std::int64_t time_us) {
  Channel& ch = channels_[snap.id];
  if (ch.id.empty()) ch.id = snap.id;
  ch.up = snap.state == "Up";
  // Keep when it was first seen Up: the answer rule reads it (a channel
  // does not leave Up but to hang up).
  if (ch.up && ch.up_us == 0) {
    ch.up_us = time_us;
    ch.up_estimated = in_reconcile_;
  }
  ch.internal = fold::IsInternalChannelName(snap.name);
  if (ch.endpoint.empty() && !snap.name.empty()) ch.endpoint = fold::EndpointOfChannel(snap.name);
  if (ch.connected_number.empty()) ch.connected_number = snap.connected_number;
  // Keep the first creation time.
  if (ch.creation_us == 0) ch.creation_us = snap.creation_us;
  ch.last_seen = current_seq_;
  // An originated leg's snapshot shows Stasis(app, role, <call channel>) once
  // it is in the application: that links it to its call on either stream.
  if (ch.call_key.empty() && ch.leg_of.empty() && snap.dialplan_app == "Stasis") {
    const fold::StasisAppData data = fold::SplitAppData(snap.dialplan_app_data);
    if (data.app == options_.call_app) LinkLegByArgs(ch, data.args, time_us);
  }
  return ch;
}

// A leg linked by its arguments was rung for its call, whether or not its
// ringing was seen (an originated leg enters Stasis when it answers).
void Projector::LinkLegByArgs(Channel& ch, const std::vector<std::string>& args,
                              std::int64_t time_us) {
  for (const auto& a : args) {
    if (a.empty() || a == ch.id) continue;
    Call* c = CallOfChannel(a);
    if (c == nullptr) {
      if (auto it = calls_.find(a); it != calls_.end()) c = &it->second;
    }
    if (c != nullptr) {
      ch.leg_of = c->row().call_id;
      RingLegFor(ch, *c, time_us);
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

// The call of `channel_id` is connected when a bridge of its channel holds
// another party that is Up. With several, the conversation began with the
// one whose answer is earliest.
void Projector::CheckConnected(const std::string& channel_id, std::int64_t time_us) {
  Call* call = CallOfChannel(channel_id);
  if (call == nullptr || call->row().status == CallStatus::kFinished) return;
  const bool awaits = fold::AwaitsConnection(call->row());
  const Channel& ch = channels_[channel_id];
  std::optional<fold::Connection> first;
  std::vector<const Channel*> parties;
  for (const auto& bridge_id : ch.bridges) {
    auto b = bridges_.find(bridge_id);
    if (b == bridges_.end()) continue;
    for (const auto& other : b->second) {
      if (other == channel_id) continue;
      auto o = channels_.find(other);
      if (o == channels_.end() || !o->second.up || o->second.internal) continue;
      if (!awaits) {
        NoteParty(*call, o->second, PartyJoin::kLater);  // answered before: a transfer
        continue;
      }
      parties.push_back(&o->second);
      const fold::Connection c{time_us,
                               ch.up_us,
                               o->second.up_us,
                               o->second.creation_us,
                               in_reconcile_ || ch.up_estimated || o->second.up_estimated,
                               &other};
      if (!first || fold::AnswerTime(call->row(), c) < fold::AnswerTime(call->row(), *first)) {
        first = c;
      }
    }
  }
  if (!first) return;
  fold::MarkConnected(edits_, *call, *first);
  // An Up CEL dated (DateUpsFromCel) made this answer time.
  const auto party = channels_.find(call->answer_party);
  if (ch.up_from_cel || (party != channels_.end() && party->second.up_from_cel)) {
    fold::MarkEvidence(edits_, *call, Evidence::kCel);
  }
  for (const Channel* p : parties) {
    NoteParty(*call, *p,
              p->id == call->answer_party ? PartyJoin::kAnswered : PartyJoin::kAlongside);
  }
}

void Projector::CheckBridge(const std::string& bridge_id, std::int64_t time_us) {
  auto b = bridges_.find(bridge_id);
  if (b == bridges_.end()) return;
  // CheckConnected changes rows only, never channels or bridges: the
  // members can be walked in place.
  for (const auto& id : b->second) CheckConnected(id, time_us);
}

}  // namespace callledger
