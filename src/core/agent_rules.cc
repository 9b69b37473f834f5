#include "core/agent_rules.h"

#include "core/call_rules.h"
#include "core/q850.h"

namespace callledger::fold {
namespace {

AgentAttempt* FindLeg(CallRow& row, const std::string& channel_id) {
  for (AgentAttempt& a : row.agents_tried) {
    if (a.channel_id == channel_id) return &a;
  }
  return nullptr;
}

const AgentAttempt* FindLeg(const CallRow& row, const std::string& channel_id) {
  for (const AgentAttempt& a : row.agents_tried) {
    if (a.channel_id == channel_id) return &a;
  }
  return nullptr;
}

}  // namespace

std::optional<LegOutcome> OutcomeOfDialStatus(std::string_view s) {
  if (s == dial_status::kAnswer) return LegOutcome::kAnswered;
  if (s == dial_status::kBusy) return LegOutcome::kBusy;
  if (s == dial_status::kNoAnswer) return LegOutcome::kNoAnswer;
  if (s == dial_status::kCongestion) return LegOutcome::kCongestion;
  if (s == "CANCEL") return LegOutcome::kCancelled;
  // CHANUNAVAIL, DONTCALL, TORTURE, INVALIDARGS: the leg could not ring.
  if (s == dial_status::kChanUnavail || s == "DONTCALL" || s == "TORTURE" || s == "INVALIDARGS") {
    return LegOutcome::kFailed;
  }
  return std::nullopt;
}

LegOutcome OutcomeOfCause(std::optional<int> cause) {
  switch (cause.value_or(q850::kNotDefined)) {
    case q850::kUserBusy:
      return LegOutcome::kBusy;
    case q850::kNoUserResponse:
    case q850::kNoAnswer:
      return LegOutcome::kNoAnswer;
    case q850::kCircuitCongestion:
    case q850::kNetworkOutOfOrder:
    case q850::kSwitchingEquipmentCongestion:
    case q850::kRequestedChannelUnavailable:
      return LegOutcome::kCongestion;
    case q850::kUnallocatedNumber:
    case q850::kNoRouteToDestination:
    case q850::kCallRejected:
    case q850::kDestinationOutOfOrder:
    case q850::kInvalidNumberFormat:
    case q850::kTemporaryFailure:
      return LegOutcome::kFailed;
    default:
      // Normal clearing (or none) while ringing: someone stopped the
      // ringing; Asterisk's Dial calls that NOANSWER too (b, k6).
      return LegOutcome::kNoAnswer;
  }
}

void RingLeg(RowEdits& rows, Call& call, const std::string& channel_id, const std::string& endpoint,
             std::int64_t rung_us) {
  if (FindLeg(call.row(), channel_id) != nullptr) return;
  rows.Edit(call)->agents_tried.push_back(
      AgentAttempt{endpoint, channel_id, rung_us, LegOutcome::kRinging});
}

void SetLegOutcome(RowEdits& rows, Call& call, const std::string& channel_id, LegOutcome outcome,
                   OutcomeFrom from) {
  const AgentAttempt* now = FindLeg(call.row(), channel_id);
  if (now == nullptr || now->outcome == outcome || now->outcome == LegOutcome::kAnswered) return;
  if (from == OutcomeFrom::kChannel && now->outcome != LegOutcome::kRinging &&
      now->outcome != LegOutcome::kUnknown) {
    return;
  }
  FindLeg(*rows.Edit(call), channel_id)->outcome = outcome;
}

void SetAgent(RowEdits& rows, Call& call, const std::string& endpoint) {
  if (!call.row().agent.empty() || endpoint.empty()) return;
  rows.Edit(call)->agent = endpoint;
}

void SetTransferredTo(RowEdits& rows, Call& call, const std::string& endpoint) {
  if (endpoint.empty() || call.row().transferred_to == endpoint) return;
  rows.Edit(call)->transferred_to = endpoint;
}

}  // namespace callledger::fold
