// Who took a call (projector version 9, docs/projection.md "Agents"): the
// cases the captures cannot give. Frames are written here as Asterisk 22
// writes them (PJSIP channels, the app stream's StasisStart); the captured
// hunts, transfers and outbound legs are checked against their oracles in
// oracle_test.cc.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ari/frame_record.h"
#include "projection/record_projector.h"
#include "store/memory_event_log.h"

namespace callledger {
namespace {

constexpr std::string_view kCaller = "998901112233";

struct Chan {
  std::string id;
  std::string name;
  std::string state;
  std::string caller;
  std::string connected;
  std::string created;  // seconds after 14:00:00 (+0500)
};

std::string Time(const std::string& seconds) { return "2026-11-26T14:00:" + seconds + ".000+0500"; }

std::string Snapshot(const Chan& c) {
  return R"({"id":")" + c.id + R"(","name":")" + c.name + R"(","state":")" + c.state +
         R"(","caller":{"name":"","number":")" + c.caller +
         R"("},"connected":{"name":"","number":")" + c.connected +
         R"("},"dialplan":{"context":"from-external","exten":"712001122","priority":1,)" +
         R"("app_name":"","app_data":""},"creationtime":")" + Time(c.created) + R"("})";
}

std::string Event(const std::string& type, const std::string& at, const std::string& body) {
  return R"({"type":")" + type + R"(","timestamp":")" + Time(at) + R"(",)" + body +
         R"(,"asterisk_id":"02:fc:00:00:00:01","application":"call-center"})";
}

std::string StasisStart(const Chan& c, const std::string& at, const std::string& args) {
  return Event("StasisStart", at, R"("args":[)" + args + R"(],"channel":)" + Snapshot(c));
}

std::string Dial(const Chan& peer, const std::string& at, const std::string& status,
                 const Chan* caller = nullptr) {
  std::string body =
      R"("dialstatus":")" + status + R"(","dialstring":"x","peer":)" + Snapshot(peer);
  if (caller != nullptr) body += R"(,"caller":)" + Snapshot(*caller);
  return Event("Dial", at, body);
}

std::string Entered(const std::string& bridge, const Chan& c, const std::vector<Chan>& members,
                    const std::string& at) {
  std::string ids;
  for (const Chan& m : members) ids += (ids.empty() ? "\"" : ",\"") + m.id + "\"";
  return Event("ChannelEnteredBridge", at,
               R"("bridge":{"id":")" + bridge +
                   R"(","technology":"simple_bridge","bridge_type":"mixing","channels":[)" + ids +
                   R"(],"creationtime":")" + Time(at) + R"("},"channel":)" + Snapshot(c));
}

std::string Inbound(const std::string& number) {
  return R"("","kiruvchi",")" + number + R"(","712001122")";
}

std::vector<CallRow> Project(const std::vector<std::string>& frames) {
  store::MemoryEventLog log("pbx");
  std::vector<RecordDraft> drafts;
  ari::FrameParser parser;
  for (const std::string& f : frames) drafts.push_back(ari::DraftFromFrame(parser, f, 0));
  REQUIRE(log.Append(drafts).ok());
  auto rows = projection::ProjectLedger(log);
  REQUIRE(rows.ok());
  return *rows;
}

const CallRow& RowOf(const std::vector<CallRow>& rows, const std::string& channel) {
  for (const CallRow& r : rows) {
    if (r.channel_id == channel) return r;
  }
  FAIL("no row for channel " << channel);
  return rows.front();
}

std::string Tried(const CallRow& r) {
  std::string out;
  for (const AgentAttempt& a : r.agents_tried) {
    out += (out.empty() ? "" : " ") + a.endpoint + ":" + std::string(LegOutcomeName(a.outcome));
  }
  return out;
}

TEST_CASE("an originated leg is its call's when the caller's number names one live call only") {
  const std::string number(kCaller);
  const Chan one{"1.1", "PJSIP/trunk-00000001", "Ring", number, "", "00"};
  const Chan two{"1.2", "PJSIP/trunk-00000002", "Ring", number, "", "01"};
  const Chan three{"1.3", "PJSIP/trunk-00000003", "Ring", "998907777777", "", "02"};
  // Asterisk copies the originator's caller id onto the leg's connected line.
  const Chan leg101{"1.4", "PJSIP/101-00000004", "Down", "", number, "03"};
  const Chan leg102{"1.5", "PJSIP/102-00000005", "Down", "", "998907777777", "03"};
  Chan up101 = leg101, up102 = leg102, two_up = two, three_up = three;
  up101.state = up102.state = two_up.state = three_up.state = "Up";
  const std::vector<CallRow> rows = Project({
      StasisStart(one, "00", Inbound(number)),
      StasisStart(two, "01", Inbound(number)),
      StasisStart(three, "02", Inbound("998907777777")),
      // Two live calls from one number: whose the 101 leg is, is unknown...
      Dial(leg101, "03", ""),
      Dial(leg101, "03", "RINGING"),
      // ... while the 102 leg's number is one call's only.
      Dial(leg102, "03", ""),
      Dial(leg102, "04", "ANSWER"),
      // 101 answers and enters the application naming its call: now it is known.
      Dial(up101, "05", "ANSWER"),
      StasisStart(up101, "05", R"("agent",")" + two.id + R"(")"),
      Entered("b1", two_up, {two_up}, "05"),
      Entered("b1", up101, {two_up, up101}, "05"),
  });
  CHECK(Tried(RowOf(rows, one.id)) == "");
  CHECK(RowOf(rows, one.id).agent == "");
  const CallRow& second = RowOf(rows, two.id);
  CHECK(Tried(second) == "101:answered");
  CHECK(second.agents_tried.at(0).rung_us == second.start_us + 2'000'000);  // its creation
  CHECK(second.agent == "101");
  CHECK(second.transferred_to == "");
  const CallRow& third = RowOf(rows, three.id);
  CHECK(Tried(third) == "102:answered");
  CHECK(third.agent == "");  // picked up, but never connected to the caller
  CHECK(third.status == CallStatus::kRinging);
}

TEST_CASE("a leg dialled from the call, a later party, and the caller's own Local half") {
  const std::string number(kCaller);
  // A Local call channel: its ;1 half was made with it (the caller's side
  // in a lab), dialled, with the caller's number on its connected line.
  const Chan call{"2.1", "Local/712001122@from-external-00000001;2", "Ring", number, "", "00"};
  const Chan half{"2.0", "Local/712001122@from-external-00000001;1", "Down", number, number, "00"};
  const Chan agent{"2.2", "PJSIP/101-00000002", "Up", "", number, "01"};
  const Chan busy{"2.3", "PJSIP/104-00000003", "Down", "", number, "02"};
  const Chan target{"2.4", "PJSIP/102-00000004", "Up", "", "", "03"};
  Chan call_up = call;
  call_up.state = "Up";
  const std::vector<CallRow> rows = Project({
      StasisStart(call, "00", Inbound(number)),
      Dial(half, "00", "RINGING"),
      Dial(half, "01", "ANSWER"),
      // The call's own Dial() rings 101 (the caller is named).
      Dial(agent, "01", "", &call),
      Dial(agent, "02", "ANSWER", &call_up),
      Entered("b2", call_up, {call_up, agent}, "02"),
      // An originated leg that is busy: a hunt for a supervisor.
      Dial(busy, "02", ""),
      Dial(busy, "03", "BUSY"),
      // 102 joins the caller's bridge and 101 leaves: a transfer.
      Entered("b2", target, {call_up, agent, target}, "04"),
  });
  REQUIRE(rows.size() == 1);
  const CallRow& r = rows.front();
  CHECK(Tried(r) == "101:answered 104:busy");  // the Local half is no leg
  CHECK(r.agent == "101");
  CHECK(r.transferred_to == "102");
}

TEST_CASE("an outbound call's agent is the extension placing it") {
  const Chan pjsip{"3.1", "PJSIP/105-00000001", "Ring", "105", "", "00"};
  const Chan local{"3.2", "Local/998935556677@outbound-00000002;2", "Ring", "106", "", "00"};
  const Chan far{"3.3", "PJSIP/trunk-00000003", "Down", "", "106", "01"};
  const std::vector<CallRow> rows = Project({
      StasisStart(pjsip, "00", R"("","chiquvchi","105","998935550000")"),
      // A Local channel stands for no phone: the Stasis FROM argument.
      StasisStart(local, "00", R"("","chiquvchi","106","998935556677")"),
      Dial(far, "01", ""),
      Dial(far, "02", "CONGESTION"),
  });
  CHECK(RowOf(rows, pjsip.id).agent == "105");
  CHECK(Tried(RowOf(rows, pjsip.id)) == "");
  CHECK(RowOf(rows, local.id).agent == "106");
  CHECK(Tried(RowOf(rows, local.id)) == "trunk:congestion");
  CHECK(RowOf(rows, local.id).transferred_to == "");
}

}  // namespace
}  // namespace callledger
