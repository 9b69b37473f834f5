// The agent columns of the call-log row (docs/projection.md, "Agents"),
// one function per rule, as core/call_rules.h does for the others:
//
//   RingLeg          agents_tried: a leg rung for the call is appended
//   SetLegOutcome    agents_tried: what became of a leg already there
//   SetAgent         agent
//   SetTransferredTo transferred_to
//
// Which leg belongs to which call, and which party the caller is connected
// to, is the projector's business (core/projector_agents.cc); these rules
// only write what they are told. Pure functions; no clock, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/call_row.h"
#include "core/projector_state.h"

namespace callledger::fold {

// A Dial's final status as a leg's outcome; nullopt for its progress
// ("", "RINGING", "PROGRESS", "PROCEEDING").
std::optional<LegOutcome> OutcomeOfDialStatus(std::string_view dialstatus);
// The outcome of a leg hung up before it answered, from the Q.850 cause
// its channel brought: busy, congestion, a failure; anything else (no
// answer, a normal clearing or none while ringing) is no_answer, as
// Asterisk's own Dial status says of a ringing leg hung up by the
// application (b, k6). Only a Dial's CANCEL is a leg cancelled.
LegOutcome OutcomeOfCause(std::optional<int> cause);

// The leg `channel_id` was rung for the call at `rung_us` (once: a leg
// already listed is left as it is).
void RingLeg(RowEdits& rows, Call& call, const std::string& channel_id, const std::string& endpoint,
             std::int64_t rung_us);

// What became of a listed leg. A leg that picked up stays answered,
// however it ended; a Dial's final status replaces any other outcome; what
// its channel showed is taken only while the leg is still ringing or its
// outcome unknown (its channel's end after a final Dial status adds
// nothing).
enum class OutcomeFrom : std::uint8_t {
  kDialStatus,  // a final Dial status: Asterisk's own word for the leg
  kChannel,     // its channel (in ARI or CEL) went Up, hung up or vanished
};
void SetLegOutcome(RowEdits& rows, Call& call, const std::string& channel_id, LegOutcome outcome,
                   OutcomeFrom from);

// Who took the call: `endpoint` of the first party the caller was connected
// to (an inbound call), or of the agent placing it (an outbound call, at
// its opening). Set once: a later connection is a transfer.
void SetAgent(RowEdits& rows, Call& call, const std::string& endpoint);

// The caller was connected to a party after its first: the last one wins.
void SetTransferredTo(RowEdits& rows, Call& call, const std::string& endpoint);

}  // namespace callledger::fold
