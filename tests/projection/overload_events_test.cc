// The end and answer rules through the projector, event by event, as an
// overloaded PBX sends them (docs/projection.md, "An overloaded PBX"): the
// end at the first hangup request or StasisEnd, the cause from a late
// ChannelDestroyed, the answer at the later of the two Ups however late the
// bridge.
#include <catch2/catch.hpp>

#include "core/call_rules.h"
#include "event_feed.h"

namespace callledger {
namespace {

using testing::Chan;
using testing::Destroyed;
using testing::EnteredBridge;
using testing::Feed;
using testing::HangupRequest;
using testing::kArgs;
using testing::kMs;
using testing::kT0;
using testing::OfChannel;
using testing::StasisStart;

TEST_CASE("the end is the first hangup request; a late ChannelDestroyed brings only the cause") {
  Feed f;
  const auto call = Chan("1.1", "Ring", kT0);
  f.Event(StasisStart(call, kArgs), kT0 + 5 * kMs);
  // The application hangs the ringing call up (soft 32): the row ends, and
  // the live view drops it, at once.
  f.Event(HangupRequest(call, 32, true), kT0 + 3000 * kMs);
  CHECK(f.Row("1.1").status == CallStatus::kFinished);
  CHECK(f.Row("1.1").end_us == kT0 + 3000 * kMs);
  CHECK_FALSE(f.Row("1.1").hangup_cause);
  CHECK(f.live() == 0);
  f.Event(HangupRequest(call, 16, true), kT0 + 3001 * kMs);  // the dialplan finished
  CHECK_FALSE(f.Changed());
  // 2.3 s later, on a loaded PBX: the cause, not the end.
  f.Event(Destroyed(call, 19, "User alerting, no answer"), kT0 + 5300 * kMs);
  CHECK(f.Changed());
  const CallRow& row = f.Row("1.1");
  CHECK(row.end_us == kT0 + 3000 * kMs);
  CHECK(row.duration_s == 3);
  CHECK(row.hangup_cause == 19);
  CHECK(row.hangup_cause_txt == "User alerting, no answer");
  CHECK(row.disposition == "abandoned");
}

TEST_CASE("a soft hangup request that only redirects the channel does not end the call") {
  Feed f;
  const auto call = Chan("1.1", "Ring", kT0);
  f.Event(StasisStart(call, kArgs), kT0);
  f.Event(HangupRequest(call, fold::soft_hangup::kAsyncGoto, true), kT0 + 1000 * kMs);
  CHECK(f.Row("1.1").status == CallStatus::kRinging);
  CHECK(f.live() == 1);
  // Its StasisEnd then ends it (the app stream), as without the request.
  f.Event(OfChannel("StasisEnd", call), kT0 + 1002 * kMs);
  CHECK(f.Row("1.1").status == CallStatus::kFinished);
  CHECK(f.Row("1.1").end_us == kT0 + 1002 * kMs);
}

TEST_CASE("a StasisEnd ends the call, re-entering Stasis reopens it, its hangup ends it") {
  Feed f;
  auto call = Chan("1.1", "Ring", kT0);
  const auto agent = Chan("1.2", "Up", kT0 + 100 * kMs, "Local/101@agents");
  f.Event(StasisStart(call, kArgs), kT0);
  call.state = "Up";
  f.Event(OfChannel("ChannelStateChange", call), kT0 + 2000 * kMs);
  f.Event(OfChannel("ChannelStateChange", agent), kT0 + 1990 * kMs);
  f.Event(EnteredBridge(call, {"1.1", "1.2"}), kT0 + 2010 * kMs);
  CHECK(f.Row("1.1").answer_us == kT0 + 2000 * kMs);
  // Left Stasis (the application let it go on in the dialplan).
  f.Event(OfChannel("StasisEnd", call), kT0 + 4000 * kMs);
  CHECK(f.Row("1.1").status == CallStatus::kFinished);
  CHECK(f.Row("1.1").end_us == kT0 + 4000 * kMs);
  // Back in Stasis: live again, connected as before, the end cleared.
  f.Event(StasisStart(call, kArgs), kT0 + 6000 * kMs);
  CHECK(f.Row("1.1").status == CallStatus::kTalking);
  CHECK(f.Row("1.1").end_us == 0);
  CHECK(f.Row("1.1").answer_us == kT0 + 2000 * kMs);
  f.Event(HangupRequest(call, 16, false), kT0 + 9000 * kMs);
  f.Event(OfChannel("StasisEnd", call), kT0 + 9002 * kMs);
  CHECK(f.Row("1.1").end_us == kT0 + 9000 * kMs);
  CHECK(f.Row("1.1").hangup_cause == 16);
  CHECK(f.rows() == 1);
}

TEST_CASE("the answer is the caller's Up when the application bridges it late") {
  Feed f;
  auto call = Chan("1.1", "Ring", kT0);
  auto agent = Chan("1.2", "Down", kT0 + 100 * kMs, "Local/280@agents");
  f.Event(StasisStart(call, kArgs), kT0);
  f.Event(StasisStart(agent, {"agent", "1.1"}), kT0 + 110 * kMs);
  agent.state = "Up";
  f.Event(OfChannel("ChannelStateChange", agent), kT0 + 1000 * kMs);
  call.state = "Up";
  f.Event(OfChannel("ChannelStateChange", call), kT0 + 1010 * kMs);
  // Not suhbatda before the connection is seen...
  CHECK(f.Row("1.1").status == CallStatus::kRinging);
  CHECK_FALSE(f.Row("1.1").answered);
  // ...which an overloaded application makes 1.1 s later.
  f.Event(EnteredBridge(call, {"1.1"}), kT0 + 2100 * kMs);
  f.Event(EnteredBridge(agent, {"1.1", "1.2"}), kT0 + 2110 * kMs);
  CHECK(f.Row("1.1").status == CallStatus::kTalking);
  CHECK(f.Row("1.1").answer_us == kT0 + 1010 * kMs);
}

TEST_CASE("an early Up for music, the agent picking up much later: the agent's Up") {
  Feed f;
  auto call = Chan("1.1", "Ring", kT0);
  f.Event(StasisStart(call, kArgs), kT0);
  call.state = "Up";  // answered to play music on hold
  f.Event(OfChannel("ChannelStateChange", call), kT0 + 500 * kMs);
  auto agent = Chan("1.2", "Down", kT0 + 30000 * kMs, "Local/101@agents");
  f.Event(StasisStart(agent, {"agent", "1.1"}), kT0 + 30010 * kMs);
  agent.state = "Up";
  f.Event(OfChannel("ChannelStateChange", agent), kT0 + 60000 * kMs);
  CHECK_FALSE(f.Row("1.1").answered);
  f.Event(EnteredBridge(agent, {"1.1", "1.2"}), kT0 + 61000 * kMs);
  CHECK(f.Row("1.1").answered);
  CHECK(f.Row("1.1").answer_us == kT0 + 60000 * kMs);
}

TEST_CASE("an agent whose channel was Up before the call: answered when bridged") {
  Feed f;
  auto agent = Chan("1.0", "Up", kT0 - 3600000 * kMs, "PJSIP/agent-101");
  f.Event(OfChannel("ChannelStateChange", agent), kT0 - 3600000 * kMs);
  auto call = Chan("1.1", "Ring", kT0);
  f.Event(StasisStart(call, kArgs), kT0);
  call.state = "Up";
  f.Event(OfChannel("ChannelStateChange", call), kT0 + 500 * kMs);
  f.Event(EnteredBridge(call, {"1.0", "1.1"}), kT0 + 20000 * kMs);
  CHECK(f.Row("1.1").answer_us == kT0 + 20000 * kMs);
}

TEST_CASE("a Dial from the call channel ending ANSWER: the dialled party's pick-up") {
  Feed f;
  const auto call = Chan("1.1", "Ring", kT0);
  f.Event(StasisStart(call, kArgs), kT0);
  auto peer = Chan("1.2", "Up", kT0 + 200 * kMs, "PJSIP/101");
  f.Event(OfChannel("ChannelStateChange", peer), kT0 + 7000 * kMs);
  AriEvent dial;
  dial.type = "Dial";
  dial.caller = call;  // not answered yet: Dial answers it next
  dial.peer = peer;
  dial.dialstatus = "ANSWER";
  f.Event(dial, kT0 + 7200 * kMs);
  CHECK(f.Row("1.1").answer_us == kT0 + 7000 * kMs);
}

}  // namespace
}  // namespace callledger
