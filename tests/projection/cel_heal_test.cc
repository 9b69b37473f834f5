// Healing from CEL (core/projector_cel.cc, docs/projection.md "Healing from
// CEL" and "PBX restarts"), on hand-built records: what CEL may replace and
// what it may not, whatever order the records come in. The captures' cut
// runs (cut_golden_test.cc, fixtures/expected/cuts) show the same on real
// traffic.
#include <catch2/catch.hpp>

#include "core/call_rules.h"
#include "core/q850.h"
#include "event_feed.h"

namespace callledger {
namespace {

using testing::Chan;
using testing::Feed;
using testing::kArgs;
using testing::kMs;
using testing::kT0;

constexpr std::int64_t kS = 1000 * kMs;

CelFact Line(CelEventType type, std::int64_t at, const std::string& id, const std::string& name) {
  CelFact f;
  f.type = type;
  f.time_us = at;
  f.uniqueid = id;
  f.channame = name;
  return f;
}
CelFact App(CelEventType type, std::int64_t at, const std::string& id, const std::string& name,
            const std::string& app, const std::string& data) {
  CelFact f = Line(type, at, id, name);
  f.appname = app;
  f.appdata = data;
  return f;
}
CelFact Bridge(CelEventType type, std::int64_t at, const std::string& id, const std::string& name,
               const std::string& peer) {
  CelFact f = Line(type, at, id, name);
  f.bridge_id = "b1";
  f.peer = peer;
  return f;
}
CelFact Hangup(std::int64_t at, const std::string& id, const std::string& name, int cause) {
  CelFact f = Line(CelEventType::kHangup, at, id, name);
  f.hangupcause = cause;
  return f;
}
CelEvidence Window(std::int64_t since, std::int64_t until, std::vector<CelFact> facts) {
  return CelEvidence{since, until, true, std::move(facts)};
}

const std::string kCallName = "PJSIP/trunk-c1";
const std::string kCallData = "call-center,,kiruvchi,998901234567,712001122";

// Call c1 in Stasis since kT0, ringing; a gap after 2 s; a reconcile at
// 10 s that no longer lists its channel: ended in the gap, estimated.
void CallEndedInGap(Feed& feed) {
  const ChannelSnapshot c1 = Chan("c1", "Ring", kT0);
  feed.Event(testing::StasisStart(c1, kArgs), kT0);
  feed.Event(testing::OfChannel("ChannelVarset", c1), kT0 + 2 * kS);
  feed.Gap();
  feed.Reconcile({}, kT0 + 10 * kS);
}

TEST_CASE("a call ended in a gap: CEL's end and cause replace the reconcile's estimate") {
  Feed feed;
  CallEndedInGap(feed);
  REQUIRE(feed.Row("c1").end_reason == EndReason::kGap);
  REQUIRE(feed.Row("c1").end_us == kT0 + 10 * kS);

  feed.Cel(Window(kT0 - 3 * kS, kT0 + 10 * kS,
                  {App(CelEventType::kAppEnd, kT0 + 4 * kS, "c1", kCallName, "Stasis", kCallData),
                   Hangup(kT0 + 4 * kS, "c1", kCallName, q850::kNoAnswer),
                   Line(CelEventType::kChanEnd, kT0 + 4 * kS, "c1", kCallName)}));
  const CallRow& row = feed.Row("c1");
  CHECK(row.end_us == kT0 + 4 * kS);
  CHECK(row.end_reason == EndReason::kHangup);
  CHECK_FALSE(row.end_estimated);
  CHECK(row.hangup_cause == q850::kNoAnswer);
  CHECK(row.hangup_cause_txt == "User alerting, no answer");
  CHECK(row.disposition == "abandoned");
  CHECK(row.duration_s == 4);
  CHECK(row.evidence == Evidence::kCel);
}

TEST_CASE("an end ARI saw stands, whatever CEL says of it") {
  Feed feed;
  const ChannelSnapshot c1 = Chan("c1", "Ring", kT0);
  feed.Event(testing::StasisStart(c1, kArgs), kT0);
  feed.Event(testing::OfChannel("StasisEnd", c1), kT0 + 5 * kS);
  feed.Gap();
  feed.Reconcile({}, kT0 + 10 * kS);
  feed.Cel(Window(kT0, kT0 + 10 * kS,
                  {App(CelEventType::kAppEnd, kT0 + 4 * kS, "c1", kCallName, "Stasis", kCallData),
                   Hangup(kT0 + 4 * kS, "c1", kCallName, q850::kNormalClearing)}));
  CHECK_FALSE(feed.Changed());
  CHECK(feed.Row("c1").end_us == kT0 + 5 * kS);
  CHECK(feed.Row("c1").evidence == Evidence::kAri);
}

// c1 bridged with agent a1 (both Up) before a gap in which c1 hung up; its
// channel lingers (a loaded PBX destroys it 2 s later), so the reconcile
// still lists it; CEL shows it leave the bridge at 5 s.
void LingeringHangup(Feed& feed, bool cel_first) {
  const ChannelSnapshot c1 = Chan("c1", "Up", kT0);
  const ChannelSnapshot a1 = Chan("a1", "Up", kT0 + kS, "PJSIP/agent");
  feed.Event(testing::StasisStart(Chan("c1", "Ring", kT0), kArgs), kT0);
  feed.Event(testing::EnteredBridge(c1, {"c1"}), kT0 + 2 * kS);
  feed.Event(testing::EnteredBridge(a1, {"c1", "a1"}), kT0 + 2 * kS);
  feed.Gap();
  ReconcileSnapshot snap;
  snap.channels = {c1, a1};
  snap.bridges = {BridgeSnapshot{"bridge-1", {"a1"}}};
  feed.Reconcile(snap, kT0 + 6 * kS);
  const CelEvidence cel =
      Window(kT0, kT0 + 6 * kS,
             {Bridge(CelEventType::kBridgeExit, kT0 + 5 * kS, "c1", kCallName, "PJSIP/agent-a1")});
  if (cel_first) feed.Cel(cel);
  feed.Event(testing::Destroyed(c1, q850::kNormalClearing, "Normal Clearing"), kT0 + 7 * kS);
  if (!cel_first) feed.Cel(cel);
}

TEST_CASE("a hang-up ARI only saw late: the bridge exit CEL shows is the end, in either order") {
  for (const bool cel_first : {true, false}) {
    INFO("cel record " << (cel_first ? "before" : "after") << " the ChannelDestroyed");
    Feed feed;
    LingeringHangup(feed, cel_first);
    const CallRow& row = feed.Row("c1");
    CHECK(row.end_us == kT0 + 5 * kS);
    CHECK(row.end_reason == EndReason::kHangup);
    CHECK(row.hangup_cause == q850::kNormalClearing);
    CHECK(row.talk_s == 3);
    CHECK(row.evidence == Evidence::kCel);
  }
}

// The daemon came back a moment after the gap's end: Asterisk had sent the
// first hangup request meanwhile, ARI shows only the StasisEnd after it.
// The agent hung up first: the call's channel got a soft hangup request
// (the end ARI saw); the gap hid its ChannelDestroyed, which brings the
// cause. CEL's HANGUP brings it instead; the end stays ARI's.
TEST_CASE("an end ARI saw without its cause: CEL's HANGUP gives the cause, the end stays") {
  Feed feed;
  const ChannelSnapshot c1 = Chan("c1", "Up", kT0);
  feed.Event(testing::StasisStart(c1, kArgs), kT0);
  feed.Event(testing::HangupRequest(c1, fold::soft_hangup::kExplicit, true), kT0 + 5 * kS);
  REQUIRE(feed.Row("c1").status == CallStatus::kFinished);
  REQUIRE_FALSE(feed.Row("c1").hangup_cause.has_value());
  feed.Gap();
  feed.Reconcile({}, kT0 + 10 * kS);
  feed.Cel(Window(kT0 + 1 * kS, kT0 + 10 * kS,
                  {App(CelEventType::kAppEnd, kT0 + 5 * kS, "c1", kCallName, "Stasis", kCallData),
                   Hangup(kT0 + 5 * kS + 20 * kMs, "c1", kCallName, q850::kNormalClearing),
                   Line(CelEventType::kChanEnd, kT0 + 5 * kS + 20 * kMs, "c1", kCallName)}));
  const CallRow& row = feed.Row("c1");
  CHECK(row.end_us == kT0 + 5 * kS);
  CHECK(row.hangup_cause == q850::kNormalClearing);
  CHECK(row.hangup_cause_txt == "Normal Clearing");
  CHECK(row.evidence == Evidence::kCel);

  // Had ARI seen the destruction, its cause would stand.
  Feed seen;
  seen.Event(testing::StasisStart(c1, kArgs), kT0);
  seen.Event(testing::HangupRequest(c1, fold::soft_hangup::kExplicit, true), kT0 + 5 * kS);
  seen.Event(testing::Destroyed(c1, q850::kUserBusy, "User busy"), kT0 + 5 * kS + 20 * kMs);
  seen.Gap();
  seen.Reconcile({}, kT0 + 10 * kS);
  seen.Cel(Window(kT0 + 1 * kS, kT0 + 10 * kS,
                  {Hangup(kT0 + 5 * kS + 20 * kMs, "c1", kCallName, q850::kNormalClearing)}));
  CHECK(seen.Row("c1").hangup_cause == q850::kUserBusy);
  CHECK(seen.Row("c1").evidence == Evidence::kAri);

  // Events arrive a little out of their stamps' order: a destruction
  // stamped 30 ms before the last event heard may have been in the gap; one
  // stamped 2 s before would have arrived (it did not exist: no cause).
  for (const auto& [before_ms, healed] : {std::pair{30, true}, std::pair{2000, false}}) {
    Feed late;
    late.Event(testing::StasisStart(c1, kArgs), kT0);
    late.Event(testing::HangupRequest(c1, fold::soft_hangup::kExplicit, true), kT0 + 5 * kS);
    const ChannelSnapshot other = Chan("x", "Up", kT0);
    late.Event(testing::OfChannel("ChannelVarset", other), kT0 + 7 * kS);
    late.Gap();
    late.Reconcile({}, kT0 + 10 * kS);
    late.Cel(
        Window(kT0 + 1 * kS, kT0 + 10 * kS,
               {Hangup(kT0 + 7 * kS - before_ms * kMs, "c1", kCallName, q850::kNormalClearing)}));
    INFO(before_ms << " ms before the last event heard");
    CHECK(late.Row("c1").hangup_cause.has_value() == healed);
  }
}

TEST_CASE("an end ARI saw only after the gap began, later than CEL's: CEL's") {
  Feed feed;
  const ChannelSnapshot c1 = Chan("c1", "Up", kT0);
  const ChannelSnapshot a1 = Chan("a1", "Up", kT0 + kS, "PJSIP/agent");
  feed.Event(testing::StasisStart(Chan("c1", "Ring", kT0), kArgs), kT0);
  feed.Event(testing::EnteredBridge(c1, {"c1"}), kT0 + 2 * kS);
  feed.Event(testing::EnteredBridge(a1, {"c1", "a1"}), kT0 + 2 * kS);
  feed.Gap();
  feed.Reconcile(ReconcileSnapshot{{c1, a1}, {BridgeSnapshot{"bridge-1", {"a1"}}}}, kT0 + 6 * kS);
  feed.Event(testing::OfChannel("StasisEnd", c1), kT0 + 6 * kS + 11 * kMs);
  REQUIRE(feed.Row("c1").end_us == kT0 + 6 * kS + 11 * kMs);
  feed.Cel(Window(kT0, kT0 + 6 * kS,
                  {Bridge(CelEventType::kBridgeExit, kT0 + 5 * kS, "c1", kCallName, "x"),
                   App(CelEventType::kAppEnd, kT0 + 6 * kS, "c1", kCallName, "Stasis", kCallData),
                   Hangup(kT0 + 6 * kS, "c1", kCallName, q850::kNormalClearing)}));
  CHECK(feed.Row("c1").end_us == kT0 + 5 * kS);
  CHECK(feed.Row("c1").hangup_cause == q850::kNormalClearing);
  CHECK(feed.Row("c1").evidence == Evidence::kCel);
}

TEST_CASE("an answer ARI showed only after the gap began, later than CEL's: CEL's") {
  Feed feed;
  const ChannelSnapshot agent = Chan("a1", "Up", kT0 + kS, "PJSIP/agent");
  feed.Event(testing::StasisStart(Chan("c1", "Ring", kT0), kArgs), kT0);
  feed.Event(testing::OfChannel("ChannelStateChange", agent), kT0 + 3 * kS);
  feed.Gap();
  feed.Reconcile(ReconcileSnapshot{{Chan("c1", "Ring", kT0), agent}, {}}, kT0 + 4 * kS);
  // The caller's Up fell between the snapshot and the new connection.
  feed.Event(testing::EnteredBridge(Chan("c1", "Up", kT0), {"c1", "a1"}), kT0 + 5 * kS);
  REQUIRE(feed.Row("c1").answer_us == kT0 + 5 * kS);
  feed.Cel(Window(kT0, kT0 + 4 * kS + 900 * kMs,
                  {Line(CelEventType::kAnswer, kT0 + 4 * kS + 500 * kMs, "c1", kCallName)}));
  CHECK(feed.Row("c1").answer_us == kT0 + 4 * kS + 500 * kMs);
  CHECK(feed.Row("c1").evidence == Evidence::kCel);
}

TEST_CASE("a bridge exit followed by more of the channel is no end") {
  Feed feed;
  const ChannelSnapshot c1 = Chan("c1", "Up", kT0);
  feed.Event(testing::StasisStart(Chan("c1", "Ring", kT0), kArgs), kT0);
  feed.Gap();
  feed.Reconcile(ReconcileSnapshot{{c1}, {}}, kT0 + 6 * kS);
  feed.Cel(
      Window(kT0, kT0 + 6 * kS,
             {Bridge(CelEventType::kBridgeExit, kT0 + 3 * kS, "c1", kCallName, ""),
              App(CelEventType::kAppStart, kT0 + 4 * kS, "c1", kCallName, "Playback", "survey")}));
  // ARI hears of the channel after the window: it lives on.
  feed.Event(testing::OfChannel("ChannelVarset", c1), kT0 + 8 * kS);
  feed.Event(testing::Destroyed(c1, q850::kNormalClearing, "Normal Clearing"), kT0 + 9 * kS);
  CHECK(feed.Row("c1").end_us == kT0 + 9 * kS);
  CHECK(feed.Row("c1").evidence == Evidence::kAri);
}

// A whole call inside a gap, as CEL logs it: c9 enters Stasis, agent a9
// answers and is bridged with it, the caller hangs up.
std::vector<CelFact> WholeCall(const std::string& id, const std::string& name,
                               const std::string& agent_id = "a9") {
  const std::string agent = "PJSIP/agent-" + agent_id;
  return {Line(CelEventType::kChanStart, kT0 + 1 * kS, id, name),
          App(CelEventType::kAppStart, kT0 + 1 * kS + 5 * kMs, id, name, "Stasis",
              "call-center,uuid-9,kiruvchi,998907776655,712001122"),
          Line(CelEventType::kChanStart, kT0 + 2 * kS, agent_id, agent),
          App(CelEventType::kAppStart, kT0 + 2 * kS, agent_id, agent, "Stasis",
              "call-center,agent," + id),
          Line(CelEventType::kAnswer, kT0 + 4 * kS, agent_id, agent),
          Line(CelEventType::kAnswer, kT0 + 4 * kS + 2 * kMs, id, name),
          Bridge(CelEventType::kBridgeEnter, kT0 + 4 * kS + 900 * kMs, id, name, ""),
          Bridge(CelEventType::kBridgeEnter, kT0 + 5 * kS, agent_id, agent, name),
          Bridge(CelEventType::kBridgeExit, kT0 + 9 * kS, id, name, agent),
          App(CelEventType::kAppEnd, kT0 + 11 * kS, id, name, "Stasis",
              "call-center,uuid-9,kiruvchi,998907776655,712001122"),
          Hangup(kT0 + 11 * kS, id, name, q850::kNormalClearing),
          Line(CelEventType::kChanEnd, kT0 + 11 * kS, id, name)};
}

TEST_CASE("a call that began and ended inside a gap gets its row from CEL") {
  Feed feed;
  feed.Gap();
  feed.Reconcile({}, kT0);
  feed.Event(testing::OfChannel("ChannelVarset", Chan("x", "Up", kT0)), kT0 + 500 * kMs);
  feed.Gap();
  feed.Reconcile({}, kT0 + 12 * kS);
  feed.Cel(Window(kT0, kT0 + 12 * kS, WholeCall("c9", "PJSIP/trunk-c9")));
  REQUIRE(feed.rows() == 1);
  const CallRow& row = feed.Row("uuid-9");
  CHECK(row.channel_id == "c9");
  CHECK(row.direction == "kiruvchi");
  CHECK(row.from_number == "998907776655");
  CHECK(row.to_number == "712001122");
  CHECK(row.args_ok);
  CHECK(row.start_us == kT0 + 1 * kS);
  // The later of the caller's answer and the agent's, not the bridge.
  CHECK(row.answer_us == kT0 + 4 * kS + 2 * kMs);
  CHECK(row.end_us == kT0 + 9 * kS);  // the bridge exit, not the late destruction
  CHECK(row.status == CallStatus::kFinished);
  CHECK(row.disposition == "answered");
  CHECK(row.hangup_cause == q850::kNormalClearing);
  CHECK(row.evidence == Evidence::kCel);
  CHECK(feed.live() == 0);
}

// A window that shows an agent leg enter Stasis but not the call it names
// (the call entered before the window began, and ARI did not see it): the
// leg opens no row of its own.
TEST_CASE("an agent leg whose call the window does not show opens no row") {
  Feed feed;
  feed.Gap();
  feed.Reconcile({}, kT0);
  feed.Event(testing::OfChannel("ChannelVarset", Chan("x", "Up", kT0)), kT0 + 500 * kMs);
  feed.Gap();
  feed.Reconcile({}, kT0 + 12 * kS);
  const std::string agent = "1796644060.104";
  const std::string name = "Local/284@agents-0000002f;1";
  feed.Cel(Window(kT0, kT0 + 12 * kS,
                  {Line(CelEventType::kChanStart, kT0 + 1 * kS, agent, name),
                   App(CelEventType::kAppStart, kT0 + 4 * kS, agent, name, "Stasis",
                       "call-center,agent,1796644060.103"),
                   Line(CelEventType::kAnswer, kT0 + 4 * kS, agent, name),
                   App(CelEventType::kAppEnd, kT0 + 9 * kS, agent, name, "Stasis",
                       "call-center,agent,1796644060.103"),
                   Hangup(kT0 + 9 * kS, agent, name, q850::kNormalClearing)}));
  CHECK(feed.rows() == 0);
}

// The same leg, lingering after its call ended unseen, listed by the
// reconcile after a gap: in Stasis with arguments naming a channel ARI
// never showed. A leg: no row. A call whose own id is its first argument
// still opens one.
TEST_CASE("a reconcile's leg whose call ARI never saw opens no row") {
  Feed feed;
  feed.Gap();
  ReconcileSnapshot snap;
  ChannelSnapshot leg = Chan("1796644060.104", "Up", kT0, "Local/284@agents");
  leg.dialplan_app = "Stasis";
  leg.dialplan_app_data = "call-center,agent,1796644060.103";
  ChannelSnapshot call = Chan("1796644060.110", "Ring", kT0 + kS);
  call.dialplan_app = "Stasis";
  call.dialplan_app_data = "call-center,1796644060.110,kiruvchi,998901234567,712001122";
  snap.channels = {leg, call};
  feed.Reconcile(snap, kT0 + 2 * kS);
  CHECK(feed.rows() == 1);
  CHECK(feed.Row("1796644060.110").channel_id == "1796644060.110");
}

TEST_CASE("a window in two parts heals as one") {
  const std::vector<CelFact> facts = WholeCall("c9", "PJSIP/trunk-c9");
  Feed whole, parts;
  for (Feed* f : {&whole, &parts}) {
    f->Gap();
    f->Reconcile({}, kT0 + 12 * kS);
  }
  whole.Cel(Window(kT0, kT0 + 12 * kS, facts));
  CelEvidence first{kT0, kT0 + 12 * kS, false, {facts.begin(), facts.begin() + 6}};
  CelEvidence second{kT0, kT0 + 12 * kS, true, {facts.begin() + 6, facts.end()}};
  parts.Cel(first);
  CHECK(parts.rows() == 0);  // nothing before the window's last part
  parts.Cel(second);
  REQUIRE(parts.rows() == 1);
  CallRow a = whole.Row("uuid-9"), b = parts.Row("uuid-9");
  a.first_seq = b.first_seq = Seq{};
  a.last_seq = b.last_seq = Seq{};
  CHECK(a == b);
}

TEST_CASE("CEL lines of another PBX open no row") {
  SECTION("this PBX has no system name: a prefixed id is another's") {
    Feed feed;
    const AsteriskProcess pbx{"02:fc:00:00:00:01", "2026-12-07T16:44:03.340+0500", ""};
    feed.Gap(&pbx);
    feed.Reconcile({}, kT0 + 12 * kS);
    feed.Cel(Window(kT0, kT0 + 12 * kS,
                    WholeCall("otherpbx-1796644061.9", "PJSIP/trunk-x", "otherpbx-1796644062.1")));
    CHECK(feed.rows() == 0);
  }
  SECTION("this PBX is pbx1: ids without its prefix are another's, with it ours") {
    Feed feed;
    const AsteriskProcess pbx{"02:fc:00:00:00:01", "2026-12-07T16:44:03.340+0500", "pbx1"};
    feed.Gap(&pbx);
    feed.Reconcile({}, kT0 + 12 * kS);
    feed.Cel(
        Window(kT0, kT0 + 12 * kS, WholeCall("1796644061.9", "PJSIP/trunk-x", "1796644062.1")));
    CHECK(feed.rows() == 0);
    feed.Cel(Window(kT0, kT0 + 12 * kS,
                    WholeCall("pbx1-1796644061.9", "PJSIP/trunk-y", "pbx1-1796644062.1")));
    CHECK(feed.rows() == 1);
  }
}

TEST_CASE("a channel whose Stasis entry failed is not opened from CEL") {
  Feed feed;
  ChannelSnapshot c = Chan("c5", "Ring", kT0);
  AriEvent dialplan = testing::OfChannel("ChannelDialplan", c);
  dialplan.dialplan_app = "Stasis";
  dialplan.dialplan_app_data = kCallData;
  feed.Event(dialplan, kT0);
  REQUIRE(feed.rows() == 1);
  AriEvent failed = testing::OfChannel("ChannelVarset", c);
  failed.variable = "STASISSTATUS";
  failed.value = "FAILED";
  feed.Event(failed, kT0 + 1 * kMs);
  feed.Event(testing::Destroyed(c, q850::kNormalClearing, "Normal Clearing"), kT0 + 2 * kMs);
  feed.Gap();
  feed.Reconcile({}, kT0 + 5 * kS);
  feed.Cel(Window(
      kT0 - kS, kT0 + 5 * kS,
      {App(CelEventType::kAppStart, kT0, "c5", "PJSIP/trunk-c5", "Stasis", kCallData),
       App(CelEventType::kAppEnd, kT0 + 1 * kMs, "c5", "PJSIP/trunk-c5", "Stasis", kCallData),
       Hangup(kT0 + 2 * kMs, "c5", "PJSIP/trunk-c5", q850::kNormalClearing)}));
  CHECK_FALSE(feed.Changed());
}

// c1 ringing since kT0 and agent a1 Up, heard at 3 s; a gap; a reconcile
// at 8 s whose snapshot shows them bridged and c1 Up: the row is answered
// at the snapshot's time, an estimate.
const ChannelSnapshot kAgent = Chan("a1", "Up", kT0 + kS, "PJSIP/agent");
ReconcileSnapshot BridgedSnapshot() {
  ReconcileSnapshot snap;
  snap.channels = {Chan("c1", "Up", kT0), kAgent};
  snap.bridges = {BridgeSnapshot{"bridge-1", {"c1", "a1"}}};
  return snap;
}
void AnsweredInSnapshot(Feed& feed) {
  feed.Event(testing::StasisStart(Chan("c1", "Ring", kT0), kArgs), kT0);
  feed.Event(testing::OfChannel("ChannelStateChange", kAgent), kT0 + 3 * kS);
  feed.Gap();
  feed.Reconcile(BridgedSnapshot(), kT0 + 8 * kS);
}

TEST_CASE("an answer only a snapshot dated is dated by CEL's ANSWER; one ARI saw stays") {
  const ChannelSnapshot ring = Chan("c1", "Ring", kT0);
  const ChannelSnapshot agent = kAgent;
  const ReconcileSnapshot snap = BridgedSnapshot();
  Feed feed;
  AnsweredInSnapshot(feed);
  REQUIRE(feed.Row("c1").answer_us == kT0 + 8 * kS);  // the snapshot's time: an estimate
  feed.Cel(Window(kT0, kT0 + 8 * kS,
                  {Line(CelEventType::kAnswer, kT0 + 3 * kS + 400 * kMs, "c1", kCallName)}));
  CHECK(feed.Row("c1").answer_us == kT0 + 3 * kS + 400 * kMs);
  CHECK(feed.Row("c1").evidence == Evidence::kCel);

  // Seen by ARI: CEL does not move it.
  Feed seen;
  seen.Event(testing::StasisStart(ring, kArgs), kT0);
  seen.Event(testing::OfChannel("ChannelStateChange", agent), kT0 + 3 * kS);
  seen.Event(testing::OfChannel("ChannelStateChange", Chan("c1", "Up", kT0)), kT0 + 4 * kS);
  seen.Event(testing::EnteredBridge(Chan("c1", "Up", kT0), {"c1", "a1"}), kT0 + 4 * kS);
  REQUIRE(seen.Row("c1").answer_us == kT0 + 4 * kS);
  seen.Gap();
  seen.Reconcile(snap, kT0 + 8 * kS);
  seen.Cel(Window(kT0, kT0 + 8 * kS, {Line(CelEventType::kAnswer, kT0 + 3 * kS, "c1", kCallName)}));
  CHECK(seen.Row("c1").answer_us == kT0 + 4 * kS);
  CHECK(seen.Row("c1").evidence == Evidence::kAri);
}

// A daemon killed before it recorded its gap's window whole: the next run's
// window reaches back to that gap (cel/gap_windows.h) and covers two gaps,
// with ARI heard between them. What the first gap hid heals as it would in
// a window of its own (the chaos campaign's long run found both cases).
TEST_CASE("a window over two gaps heals what the first one hid") {
  const ChannelSnapshot x = Chan("x", "Up", kT0);
  const std::string agent = "PJSIP/agent-a1";

  SECTION("an answer and an end in the first gap") {
    Feed feed;
    feed.Event(testing::StasisStart(Chan("c1", "Ring", kT0), kArgs), kT0);
    feed.Event(testing::OfChannel("ChannelVarset", x), kT0 + 2 * kS);
    feed.Gap();
    feed.Reconcile({}, kT0 + 10 * kS);  // c1 is gone: ended in the gap
    feed.Event(testing::OfChannel("ChannelVarset", x), kT0 + 11 * kS);
    feed.Gap();
    feed.Reconcile({}, kT0 + 13 * kS);
    REQUIRE_FALSE(feed.Row("c1").answered);
    feed.Cel(Window(
        kT0 - 3 * kS, kT0 + 13 * kS,
        {Line(CelEventType::kChanStart, kT0 + 2 * kS + 100 * kMs, "a1", agent),
         App(CelEventType::kAppStart, kT0 + 2 * kS + 100 * kMs, "a1", agent, "Stasis",
             "call-center,agent,c1"),
         Line(CelEventType::kAnswer, kT0 + 4 * kS, "a1", agent),
         Line(CelEventType::kAnswer, kT0 + 4 * kS + 2 * kMs, "c1", kCallName),
         Bridge(CelEventType::kBridgeEnter, kT0 + 4 * kS + 900 * kMs, "c1", kCallName, ""),
         Bridge(CelEventType::kBridgeEnter, kT0 + 5 * kS, "a1", agent, kCallName),
         Bridge(CelEventType::kBridgeExit, kT0 + 9 * kS, "c1", kCallName, agent),
         App(CelEventType::kAppEnd, kT0 + 9 * kS + 20 * kMs, "c1", kCallName, "Stasis", kCallData),
         Hangup(kT0 + 9 * kS + 20 * kMs, "c1", kCallName, q850::kNormalClearing)}));
    const CallRow& row = feed.Row("c1");
    CHECK(row.answered);
    CHECK(row.answer_us == kT0 + 4 * kS + 2 * kMs);
    CHECK(row.disposition == "answered");
    CHECK(row.end_us == kT0 + 9 * kS);
    CHECK(row.hangup_cause == q850::kNormalClearing);
    CHECK(row.evidence == Evidence::kCel);
  }

  // c1 ended by a soft hangup request at 2 s, just before the first gap;
  // ARI heard from again at 4 s; the second gap. `first_whole`: the first
  // gap's window was recorded whole (and healed) in between.
  const auto soft_end_then_two_gaps = [&](Feed& feed, bool first_whole) {
    const ChannelSnapshot c1 = Chan("c1", "Up", kT0);
    feed.Event(testing::StasisStart(c1, kArgs), kT0);
    feed.Event(testing::HangupRequest(c1, fold::soft_hangup::kExplicit, true), kT0 + 2 * kS);
    feed.Gap();
    feed.Reconcile({}, kT0 + 3 * kS);
    if (first_whole) feed.Cel(Window(kT0 - 3 * kS, kT0 + 3 * kS, {}));
    feed.Event(testing::OfChannel("ChannelVarset", x), kT0 + 4 * kS);
    feed.Gap();
    feed.Reconcile({}, kT0 + 6 * kS);
  };

  SECTION("the cause of an end ARI saw just before the first gap") {
    Feed feed;
    soft_end_then_two_gaps(feed, false);
    feed.Cel(Window(kT0 - 3 * kS, kT0 + 6 * kS,
                    {Hangup(kT0 + 2 * kS + 500 * kMs, "c1", kCallName, q850::kNormalClearing)}));
    CHECK(feed.Row("c1").end_us == kT0 + 2 * kS);
    CHECK(feed.Row("c1").hangup_cause == q850::kNormalClearing);
  }

  SECTION("a gap a window healed whole is not reached again") {
    Feed feed;
    soft_end_then_two_gaps(feed, true);
    // The second gap's window begins 5 s before ARI was last heard: a line
    // of the first gap is in it, but that gap was told whole already.
    feed.Cel(Window(kT0 - 1 * kS, kT0 + 6 * kS,
                    {Hangup(kT0 + 2 * kS + 500 * kMs, "c1", kCallName, q850::kNormalClearing)}));
    CHECK_FALSE(feed.Row("c1").hangup_cause.has_value());
  }
}

// An end ARI heard after a reconcile, stamped before it, when the snapshot
// showed the call Up without saying since when: the end is kept at that
// estimated answer until CEL dates the answer; then it is the end's own.
TEST_CASE("an end kept at an estimated answer moves when CEL dates the answer") {
  Feed feed;
  AnsweredInSnapshot(feed);
  feed.Event(testing::HangupRequest(Chan("c1", "Up", kT0), fold::soft_hangup::kExplicit, true),
             kT0 + 7 * kS + 600 * kMs);
  REQUIRE(feed.Row("c1").end_us == kT0 + 8 * kS);  // not before the answer
  feed.Cel(Window(kT0, kT0 + 8 * kS,
                  {Line(CelEventType::kAnswer, kT0 + 3 * kS + 400 * kMs, "c1", kCallName)}));
  const CallRow& row = feed.Row("c1");
  CHECK(row.answer_us == kT0 + 3 * kS + 400 * kMs);
  CHECK(row.end_us == kT0 + 7 * kS + 600 * kMs);
  CHECK(row.talk_s == 4);
  CHECK(row.duration_s == 8);
  CHECK(row.end_reason == EndReason::kHangup);
}

TEST_CASE("a PBX restart ends the calls it cut off when the old process was last heard") {
  const AsteriskProcess before{"02:fc:00:00:00:01", "2026-12-07T16:44:03.340+0500", ""};
  const AsteriskProcess after{"02:fc:00:00:00:01", "2026-12-07T16:49:00.000+0500", ""};
  Feed feed;
  feed.Gap(&before);
  feed.Reconcile({}, kT0 - kS);
  const ChannelSnapshot c1 = Chan("c1", "Ring", kT0);
  feed.Event(testing::StasisStart(c1, kArgs), kT0);
  feed.Event(testing::OfChannel("DeviceStateChanged", Chan("", "", 0)), kT0 + 5 * kS);

  SECTION("the same process again ends nothing") {
    feed.Gap(&before, kT0 + 20 * kS);
    CHECK_FALSE(feed.Changed());
    CHECK(feed.live() == 1);
  }
  SECTION("another startup time: the call ends at the last event heard, marked") {
    feed.Gap(&after, kT0 + 20 * kS);
    const CallRow& row = feed.Row("c1");
    CHECK(row.status == CallStatus::kFinished);
    CHECK(row.end_us == kT0 + 5 * kS);
    CHECK(row.end_reason == EndReason::kPbxRestart);
    CHECK(row.end_estimated);
    CHECK_FALSE(row.hangup_cause.has_value());
    feed.Reconcile({}, kT0 + 20 * kS);
    CHECK_FALSE(feed.Changed());  // not ended again by the reconcile
    // CEL's last line of the channel is a later sign of it.
    feed.Cel(
        Window(kT0, kT0 + 20 * kS, {Line(CelEventType::kOther, kT0 + 6 * kS, "c1", kCallName)}));
    CHECK(feed.Row("c1").end_us == kT0 + 6 * kS);
    CHECK(feed.Row("c1").end_reason == EndReason::kPbxRestart);
    CHECK(feed.Row("c1").evidence == Evidence::kCel);
  }
}

}  // namespace
}  // namespace callledger
