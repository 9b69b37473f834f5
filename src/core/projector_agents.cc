// Agents: which legs were rung for a call, what became of each, and who
// took the call (docs/projection.md, "Agents"). The columns are written by
// the rules of core/agent_rules.h; this file decides which call a leg
// belongs to and which party the caller is connected to.
//
// A leg is rung for a call when
// - a Dial from the call's channel (or from one of its legs) rings it;
// - its Stasis arguments name the call's channel (an originated leg enters
//   Stasis when it answers: ["agent", <call channel id>]);
// - an application originated it for the call (a Dial without a caller):
//   ARI names no originator, but Asterisk copies the originator's caller id
//   onto the new channel's connected line, so a leg created after the call
//   began whose first connected-line number is the caller number of exactly
//   one live call was rung for that call. None, or two such calls (one
//   caller on two lines at once), and the leg is left out until its Stasis
//   entry names its call.
#include "core/agent_rules.h"
#include "core/call_rules.h"
#include "core/endpoint_name.h"
#include "core/projector.h"

namespace callledger {

void Projector::RingLegFor(Channel& leg, Call& call, std::int64_t time_us) {
  if (leg.id.empty() || !leg.tried_for.empty() || leg.id == call.row().channel_id) return;
  leg.tried_for = call.row().call_id;
  fold::RingLeg(edits_, call, leg.id, leg.endpoint,
                leg.creation_us != 0 ? leg.creation_us : time_us);
  if (leg.up) {
    fold::SetLegOutcome(edits_, call, leg.id, LegOutcome::kAnswered, fold::OutcomeFrom::kChannel);
  }
}

Projector::Call* Projector::OriginatedFor(const Channel& leg) {
  if (leg.connected_number.empty() || leg.creation_us == 0) return nullptr;
  auto by_number = calls_by_number_.find(leg.connected_number);
  if (by_number == calls_by_number_.end()) return nullptr;
  Call* found = nullptr;
  for (const std::string& key : by_number->second) {
    auto c = calls_.find(key);
    if (c == calls_.end() || c->second.row().status == CallStatus::kFinished) continue;
    // Made for the call: after it began (the caller's own Local half, made
    // with it, is not a leg).
    if (leg.creation_us <= c->second.row().start_us) continue;
    if (found != nullptr) return nullptr;  // two calls from one number: unknown
    found = &c->second;
  }
  return found;
}

// A Dial rings its peer for a call; its final status is the leg's outcome.
void Projector::OnLegDial(const ObservedEvent& ev) {
  Channel& peer = *ev.peer;
  if (peer.tried_for.empty() && peer.call_key.empty()) {
    Call* call = nullptr;
    if (ev.caller != nullptr) {
      call = CallOrLegOf(*ev.caller);
    } else if (!peer.leg_of.empty()) {
      call = CallOrLegOf(peer);
    } else {
      call = OriginatedFor(peer);
    }
    if (call != nullptr) RingLegFor(peer, *call, ev.time_us);
  }
  if (peer.tried_for.empty()) return;
  auto c = calls_.find(peer.tried_for);
  if (c == calls_.end()) return;
  if (const auto outcome = fold::OutcomeOfDialStatus(ev.ari.dialstatus)) {
    fold::SetLegOutcome(edits_, c->second, peer.id, *outcome, fold::OutcomeFrom::kDialStatus);
  }
}

void Projector::LegShows(const Channel& leg, LegOutcome outcome) {
  if (leg.tried_for.empty()) return;
  if (auto c = calls_.find(leg.tried_for); c != calls_.end()) {
    fold::SetLegOutcome(edits_, c->second, leg.id, outcome, fold::OutcomeFrom::kChannel);
  }
}

void Projector::NoteParty(Call& call, const Channel& party, PartyJoin join) {
  for (const std::string& p : call.parties) {
    if (p == party.id) return;
  }
  call.parties.push_back(party.id);
  if (call.row().direction == fold::kOutgoing) return;  // the agent placed it
  switch (join) {
    case PartyJoin::kAnswered:
      fold::SetAgent(edits_, call, party.endpoint);
      break;
    case PartyJoin::kAlongside:
      break;  // there at the answer too: neither the agent nor a transfer
    case PartyJoin::kLater:
      fold::SetTransferredTo(edits_, call, party.endpoint);
      break;
  }
}

// A call just opened: an outbound call's agent is the one placing it (its
// channel's endpoint; a Local channel stands for no phone, so then the
// Stasis FROM argument, the dialplan's extension of the caller). And the
// call is found by its caller number from now on.
void Projector::OpenAgents(Call& call, const ChannelSnapshot& snap) {
  call.caller_number = snap.caller_number;
  if (!call.caller_number.empty()) calls_by_number_[call.caller_number].insert(call.row().call_id);
  if (call.row().direction != fold::kOutgoing) return;
  fold::SetAgent(edits_, call,
                 fold::IsLocalChannelName(snap.name) ? call.row().from_number
                                                     : fold::EndpointOfChannel(snap.name));
}

void Projector::ForgetCallNumber(const Call& call) {
  if (call.caller_number.empty()) return;
  auto it = calls_by_number_.find(call.caller_number);
  if (it == calls_by_number_.end()) return;
  it->second.erase(call.row().call_id);
  if (it->second.empty()) calls_by_number_.erase(it);
}

}  // namespace callledger
