// Which call a channel entering Stasis opens or reopens (core/projector.h,
// EnterStasis): the helper notes of the last restructure, fixed with
// projector version 2. A call_id equal to another channel's id must not
// make that channel's entry reuse the other call; a channel the projector
// forgot, entering Stasis again, reopens its call whole.
#include <catch2/catch.hpp>

#include "event_feed.h"

namespace callledger {
namespace {

using testing::Chan;
using testing::Destroyed;
using testing::EnteredBridge;
using testing::Feed;
using testing::kArgs;
using testing::kMs;
using testing::kT0;
using testing::OfChannel;
using testing::StasisStart;

TEST_CASE("a channel id that is another call's call_id opens a call of its own") {
  Feed f;
  // Channel 1.7's Stasis args[0] is "1.8", the id of a channel not yet a call.
  const auto first = Chan("1.7", "Ring", kT0);
  f.Event(StasisStart(first, {"1.8", "kiruvchi", "998900000007", "712001122"}), kT0);
  const auto second = Chan("1.8", "Ring", kT0 + 10 * kMs);
  f.Event(StasisStart(second, kArgs), kT0 + 20 * kMs);
  REQUIRE(f.rows() == 2);
  CHECK(f.Row("1.8").channel_id == "1.7");
  CHECK(f.Row("1.8").from_number == "998900000007");
  CHECK(f.Row("1.8#2").channel_id == "1.8");
  CHECK_FALSE(f.Row("1.8#2").args_ok);
  // Each channel's events go to its own call.
  f.Event(Destroyed(second, 16, "Normal Clearing"), kT0 + 900 * kMs);
  CHECK(f.Row("1.8#2").status == CallStatus::kFinished);
  CHECK(f.Row("1.8").status == CallStatus::kRinging);
}

TEST_CASE("a channel forgotten by a reconcile, entering Stasis again, reopens its call whole") {
  Feed f;
  auto call = Chan("1.1", "Ring", kT0);
  const auto agent = Chan("1.2", "Up", kT0 + 100 * kMs, "Local/101@agents");
  f.Event(StasisStart(call, kArgs), kT0);
  call.state = "Up";
  f.Event(OfChannel("ChannelStateChange", call), kT0 + 1000 * kMs);
  f.Event(EnteredBridge(agent, {"1.1", "1.2"}), kT0 + 1005 * kMs);
  REQUIRE(f.Row("1.1").answered);
  // A reconcile that does not list it ends the call and forgets its channel.
  f.Gap();
  f.Reconcile(ReconcileSnapshot{}, kT0 + 5000 * kMs);
  REQUIRE(f.Row("1.1").end_estimated);
  REQUIRE(f.Row("1.1").end_reason == EndReason::kGap);
  // It was there after all: the same channel enters Stasis again.
  f.Event(StasisStart(call, kArgs), kT0 + 6000 * kMs);
  const CallRow& row = f.Row("1.1");
  CHECK(row.status == CallStatus::kTalking);
  CHECK(row.answered);
  CHECK(row.end_us == 0);
  CHECK_FALSE(row.end_estimated);
  CHECK(row.end_reason == EndReason::kNone);
  CHECK_FALSE(row.duration_s);
  CHECK(row.disposition.empty());
  CHECK(f.rows() == 1);
}

}  // namespace
}  // namespace callledger
