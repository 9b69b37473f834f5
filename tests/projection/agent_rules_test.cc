// The agent rules one at a time (core/agent_rules.h): what each writes,
// what it leaves alone, and that what it writes is emitted.
#include "core/agent_rules.h"

#include <catch2/catch.hpp>

#include "core/q850.h"
#include "rule_records.h"

namespace callledger {
namespace {

using fold::Call;
using fold::OutcomeFrom;
using testing::kStart;
using testing::Open;
using testing::Record;

LegOutcome OutcomeIn(const Call& call, std::size_t i) {
  return call.row().agents_tried.at(i).outcome;
}

TEST_CASE("a Dial's final status and a channel's cause as a leg's outcome") {
  CHECK(fold::OutcomeOfDialStatus("ANSWER") == LegOutcome::kAnswered);
  CHECK(fold::OutcomeOfDialStatus("BUSY") == LegOutcome::kBusy);
  CHECK(fold::OutcomeOfDialStatus("NOANSWER") == LegOutcome::kNoAnswer);
  CHECK(fold::OutcomeOfDialStatus("CONGESTION") == LegOutcome::kCongestion);
  CHECK(fold::OutcomeOfDialStatus("CHANUNAVAIL") == LegOutcome::kFailed);
  CHECK(fold::OutcomeOfDialStatus("CANCEL") == LegOutcome::kCancelled);
  CHECK_FALSE(fold::OutcomeOfDialStatus("RINGING").has_value());
  CHECK_FALSE(fold::OutcomeOfDialStatus("").has_value());
  CHECK(fold::OutcomeOfCause(q850::kUserBusy) == LegOutcome::kBusy);
  CHECK(fold::OutcomeOfCause(q850::kNoAnswer) == LegOutcome::kNoAnswer);
  CHECK(fold::OutcomeOfCause(q850::kNoUserResponse) == LegOutcome::kNoAnswer);
  CHECK(fold::OutcomeOfCause(q850::kSwitchingEquipmentCongestion) == LegOutcome::kCongestion);
  CHECK(fold::OutcomeOfCause(q850::kCallRejected) == LegOutcome::kFailed);
  CHECK(fold::OutcomeOfCause(q850::kNormalClearing) == LegOutcome::kNoAnswer);
  CHECK(fold::OutcomeOfCause(std::nullopt) == LegOutcome::kNoAnswer);
}

TEST_CASE("RingLeg lists a leg once; SetLegOutcome keeps an answer and Asterisk's word") {
  Call call;
  Open(call, "kiruvchi");
  Record ring(2);
  fold::RingLeg(ring.edits, call, "leg-1", "101", kStart + 1000);
  fold::RingLeg(ring.edits, call, "leg-1", "101", kStart + 9000);  // again: nothing
  const auto changes = ring.Changes();
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].row.agents_tried.size() == 1);
  CHECK(changes[0].row.agents_tried[0] ==
        AgentAttempt{"101", "leg-1", kStart + 1000, LegOutcome::kRinging});

  // What the channel showed, while ringing; then a Dial status replaces it.
  Record hangup(3);
  fold::SetLegOutcome(hangup.edits, call, "leg-1", LegOutcome::kNoAnswer, OutcomeFrom::kChannel);
  fold::SetLegOutcome(hangup.edits, call, "leg-1", LegOutcome::kUnknown, OutcomeFrom::kChannel);
  CHECK(OutcomeIn(call, 0) == LegOutcome::kNoAnswer);
  fold::SetLegOutcome(hangup.edits, call, "leg-1", LegOutcome::kBusy, OutcomeFrom::kDialStatus);
  CHECK(OutcomeIn(call, 0) == LegOutcome::kBusy);
  CHECK(hangup.Changes().size() == 1);

  // An answer stays; a leg not listed is left alone.
  Record answer(4);
  fold::SetLegOutcome(answer.edits, call, "leg-1", LegOutcome::kAnswered, OutcomeFrom::kDialStatus);
  fold::SetLegOutcome(answer.edits, call, "leg-1", LegOutcome::kNoAnswer, OutcomeFrom::kDialStatus);
  fold::SetLegOutcome(answer.edits, call, "other", LegOutcome::kBusy, OutcomeFrom::kDialStatus);
  CHECK(OutcomeIn(call, 0) == LegOutcome::kAnswered);
  CHECK(call.row().agents_tried.size() == 1);

  // A gap hid it (unknown); what CEL shows of its channel comes later.
  Record gap(5);
  fold::RingLeg(gap.edits, call, "leg-2", "102", kStart + 2000);
  fold::SetLegOutcome(gap.edits, call, "leg-2", LegOutcome::kUnknown, OutcomeFrom::kChannel);
  fold::SetLegOutcome(gap.edits, call, "leg-2", LegOutcome::kNoAnswer, OutcomeFrom::kChannel);
  CHECK(OutcomeIn(call, 1) == LegOutcome::kNoAnswer);
  Record none(6);
  fold::SetLegOutcome(none.edits, call, "leg-2", LegOutcome::kNoAnswer, OutcomeFrom::kChannel);
  CHECK(none.Changes().empty());
}

TEST_CASE("SetAgent once; SetTransferredTo the last one") {
  Call call;
  Open(call, "kiruvchi");
  Record r(2);
  fold::SetAgent(r.edits, call, "");  // no name: nothing
  fold::SetAgent(r.edits, call, "101");
  fold::SetAgent(r.edits, call, "102");
  fold::SetTransferredTo(r.edits, call, "103");
  fold::SetTransferredTo(r.edits, call, "104");
  fold::SetTransferredTo(r.edits, call, "");
  const auto changes = r.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.agent == "101");
  CHECK(changes[0].row.transferred_to == "104");
}

}  // namespace
}  // namespace callledger
