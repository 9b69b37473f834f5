// The answer and end rules (core/call_rules.h: AnswerTime, MarkConnected,
// HangsUp, EndCall) on their own, for what an overloaded PBX does and the
// captures may not show (docs/projection.md, "An overloaded PBX"): the
// caller's Up after the agent's, an early Up for music, a party older than
// the call, soft hangup flags, a cause that trails the hangup.
#include <catch2/catch.hpp>

#include "core/call_rules.h"
#include "core/q850.h"
#include "rule_records.h"

namespace callledger {
namespace {

using fold::AnswerTime;
using fold::Call;
using fold::CallEnd;
using fold::Connection;
using fold::EndSource;
using testing::kSecond;
using testing::kStart;
using testing::Open;
using testing::Record;

CallRow StartedAt(std::int64_t start_us) {
  CallRow row;
  row.start_us = start_us;
  return row;
}

TEST_CASE("AnswerTime: the later of the caller's Up and the party's pick-up, not the bridge") {
  const CallRow row = StartedAt(kStart);
  // An overloaded application bridges 1.1 s after it answered the caller,
  // which it did when the agent (a leg made for the call) picked up.
  CHECK(AnswerTime(row, Connection{kStart + 6100000, kStart + 5010000, kStart + 5000000,
                                   kStart + 100000}) == kStart + 5010000);
  // The caller's channel Up after the agent's: the caller's Up.
  CHECK(AnswerTime(row, Connection{kStart + 9 * kSecond, kStart + 8 * kSecond, kStart + 7 * kSecond,
                                   kStart + kSecond}) == kStart + 8 * kSecond);
  // Answered early for music (Up at 1 s), the agent picks up at 60 s and is
  // bridged at 61 s: the conversation began at 60 s.
  CHECK(AnswerTime(row, Connection{kStart + 61 * kSecond, kStart + kSecond, kStart + 60 * kSecond,
                                   kStart + 30 * kSecond}) == kStart + 60 * kSecond);
  // A party that was there before the call (a standing agent channel, Up
  // for an hour) picked up for this call when it was connected.
  CHECK(AnswerTime(row, Connection{kStart + 20 * kSecond, kStart + kSecond, kStart - 3600 * kSecond,
                                   kStart - 3601 * kSecond}) == kStart + 20 * kSecond);
  // Nothing known of the Ups (a reconcile's snapshot): when it was seen.
  CHECK(AnswerTime(row, Connection{kStart + 3 * kSecond, 0, 0, 0}) == kStart + 3 * kSecond);
  CHECK(AnswerTime(row, Connection{kStart + 3 * kSecond, 0, kStart + 2 * kSecond, 0}) ==
        kStart + 3 * kSecond);  // a party of unknown age
  // Never after the connection was seen (timestamps run back a few ms).
  CHECK(AnswerTime(row, Connection{kStart + 3 * kSecond, kStart + 3 * kSecond + 4000,
                                   kStart + 2 * kSecond, kStart + kSecond}) ==
        kStart + 3 * kSecond);
}

TEST_CASE("MarkConnected writes the answer time, which can be before the record that showed it") {
  Call call;
  Open(call, "kiruvchi");
  Record r(2);
  fold::MarkConnected(r.edits, call,
                      Connection{kStart + 6100000, kStart + 5010000, kStart + 5000000, kStart + 1});
  const auto changes = r.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.answered);
  CHECK(changes[0].row.answer_us == kStart + 5010000);
  CHECK(changes[0].row.status == CallStatus::kTalking);
}

TEST_CASE("HangsUp: hard requests, and soft ones whose flags ask for a hangup") {
  CHECK(fold::HangsUp(false, q850::kNormalClearing));
  CHECK(fold::HangsUp(false, q850::kNotDefined));  // a busy Local ;2 half
  CHECK(fold::HangsUp(false, std::nullopt));
  CHECK(fold::HangsUp(true, fold::soft_hangup::kExplicit));   // ARI DELETE
  CHECK(fold::HangsUp(true, fold::soft_hangup::kAppUnload));  // the dialplan finished
  CHECK(fold::HangsUp(true, fold::soft_hangup::kDevice));
  CHECK(fold::HangsUp(true, fold::soft_hangup::kShutdown));
  CHECK(fold::HangsUp(true, fold::soft_hangup::kAsyncGoto | fold::soft_hangup::kExplicit));
  CHECK_FALSE(fold::HangsUp(true, fold::soft_hangup::kAsyncGoto));  // a redirect
  CHECK_FALSE(fold::HangsUp(true, fold::soft_hangup::kTimeout));    // the 'T' extension
  CHECK_FALSE(fold::HangsUp(true, std::nullopt));
}

TEST_CASE("EndCall: a hangup request ends the call; ChannelDestroyed later brings its cause") {
  Call call;
  Open(call, "chiquvchi");
  // The application hangs the call up (soft: no cause), 12 s in.
  Record request(2);
  fold::EndCall(request.edits, call,
                CallEnd{kStart + 12 * kSecond, EndSource::kHangupRequest, std::nullopt, {}});
  auto changes = request.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.status == CallStatus::kFinished);
  CHECK(changes[0].row.end_us == kStart + 12 * kSecond);
  CHECK_FALSE(changes[0].row.hangup_cause);
  CHECK(changes[0].row.disposition == "unanswered");

  // Asterisk destroys the channel 2.3 s later: the cause and what follows.
  Record destroyed(3);
  fold::EndCall(destroyed.edits, call,
                CallEnd{kStart + 14300000, EndSource::kDestroyed, q850::kUserBusy, "User busy"});
  changes = destroyed.Changes();
  REQUIRE(changes.size() == 1);
  const CallRow& row = changes[0].row;
  CHECK(row.end_us == kStart + 12 * kSecond);
  CHECK(row.duration_s == 12);
  CHECK(row.ring_s == 12);
  CHECK(row.hangup_cause == q850::kUserBusy);
  CHECK(row.hangup_cause_txt == "User busy");
  CHECK(row.disposition == "busy");

  // Nothing after that changes the row.
  Record again(4);
  fold::EndCall(again.edits, call,
                CallEnd{kStart + 15 * kSecond, EndSource::kDestroyed, q850::kNoAnswer, {}});
  fold::EndCall(again.edits, call,
                CallEnd{kStart + 15 * kSecond, EndSource::kStasisEnd, std::nullopt, {}});
  CHECK(again.Changes().empty());
}

TEST_CASE("EndCall: a ChannelDestroyed with cause 0 keeps the hard request's cause") {
  Call call;
  Open(call, "kiruvchi");
  call.hard_cause = q850::kNormalClearing;
  Record request(2);
  fold::EndCall(request.edits, call,
                CallEnd{kStart + 5 * kSecond, EndSource::kHangupRequest, std::nullopt, {}});
  REQUIRE(request.Changes().size() == 1);
  CHECK(call.row().hangup_cause == q850::kNormalClearing);
  CHECK(call.row().hangup_cause_txt == "Normal Clearing");
  Record destroyed(3);
  fold::EndCall(destroyed.edits, call,
                CallEnd{kStart + 7 * kSecond, EndSource::kDestroyed, q850::kNotDefined, "Unknown"});
  CHECK(destroyed.Changes().empty());
}

TEST_CASE("EndCall: a reconcile's end is not rewritten by a late ChannelDestroyed") {
  Call call;
  Open(call, "kiruvchi");
  Record reconcile(2);
  fold::EndCall(reconcile.edits, call,
                CallEnd{kStart + 9 * kSecond, EndSource::kReconcile, std::nullopt, {}});
  REQUIRE(reconcile.Changes().size() == 1);
  Record destroyed(3);
  fold::EndCall(destroyed.edits, call,
                CallEnd{kStart + 10 * kSecond, EndSource::kDestroyed, q850::kNoAnswer, {}});
  CHECK(destroyed.Changes().empty());
  CHECK(call.row().end_estimated);
}

}  // namespace
}  // namespace callledger
