// Every frame of the real Asterisk captures (fixtures/asterisk) through the
// parser (ari/captures.h), checked against the fixtures README and the
// driver's oracle (*.expected.json), which were written without any of our
// code: counts, types, times, the Stasis arguments of every call, and a
// reused parser. Frame by frame spot checks: fixture_spot_checks_test.cc.
#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ari/frame_parser.h"
#include "ari/timestamp.h"
#include "captures.h"
#include "support/fixtures.h"

namespace callledger::ari {
namespace {

using Strings = std::vector<std::string>;
using testing::AllCaptures;
using testing::Captures;
using testing::Find;
using testing::Stream;
using testing::StreamNamed;

TEST_CASE("Every captured frame parses", "[fixtures]") {
  const Captures& c = AllCaptures();
  CHECK(c.streams.size() == 32);
  std::size_t call_center = 0, observer = 0;
  for (const Stream& s : c.streams) {
    (s.observer ? observer : call_center) += s.lines.size();
    for (const std::string& line : s.lines) CHECK_FALSE(line.empty());
  }
  // The README's totals.
  CHECK(call_center == 818);
  CHECK(observer == 1719);
  for (const std::string& error : c.errors) UNSCOPED_INFO(error);
  CHECK(c.errors.empty());
}

TEST_CASE("Every frame has a type, an event time, the node and its application", "[fixtures]") {
  // The captures span 09:15:58Z to 09:18:11Z on 2026-11-26.
  const std::int64_t begin = *ParseAriTimestamp("2026-11-26T09:15:00Z");
  const std::int64_t end = *ParseAriTimestamp("2026-11-26T09:20:00Z");
  for (const Stream& s : AllCaptures().streams) {
    const std::string application = s.observer ? "call-ledger" : "call-center";
    for (std::size_t i = 0; i < s.frames.size(); ++i) {
      const FrameSummary& f = s.frames[i];
      INFO(s.name << ":" << i + 1);
      REQUIRE_FALSE(f.type.empty());
      REQUIRE(f.event_time_us.has_value());
      CHECK(*f.event_time_us >= begin);
      CHECK(*f.event_time_us < end);
      CHECK(f.asterisk_id == "02:fc:00:00:00:01");
      CHECK(f.application == application);
      // A channel is never created after an event about it.
      if (f.channel_creation_us) CHECK(*f.channel_creation_us <= *f.event_time_us);
    }
  }
}

TEST_CASE("Frame counts per scenario match the README", "[fixtures]") {
  // scenario -> {call-center frames, observer frames}
  const std::map<std::string, std::pair<std::size_t, std::size_t>> expected = {
      {"a-inbound-answered", {44, 93}},
      {"a2-inbound-answered-uuidfn", {44, 93}},
      {"b-inbound-abandoned", {25, 62}},
      {"c-outbound-answered", {47, 98}},
      {"c2-outbound-answered-uuidfn", {47, 98}},
      {"d-outbound-busy", {20, 60}},
      {"e-outbound-noanswer", {23, 63}},
      {"f-inbound-recorded-ari", {51, 104}},
      {"f2-inbound-recorded-mixmonitor", {44, 95}},
      {"h-inbound-utf8-callername", {132, 279}},
      {"k1-transfer-hold-dtmf", {85, 149}},
      {"k2-agent-hunt", {81, 152}},
      {"k3-agent-hangs-up-first", {44, 93}},
      {"k4-outbound-congestion", {21, 61}},
      {"k5-app-hangup", {44, 93}},
      {"k6-caller-hangs-up-during-transfer", {66, 126}},
  };
  std::set<std::string> seen;
  for (const Stream& s : AllCaptures().streams) {
    INFO(s.name);
    REQUIRE(expected.count(s.scenario) == 1);
    const auto& [call_center, observer] = expected.at(s.scenario);
    CHECK(s.frames.size() == (s.observer ? observer : call_center));
    seen.insert(s.scenario);
  }
  CHECK(seen.size() == expected.size());
}

TEST_CASE("Event types summed over all scenarios match the README", "[fixtures]") {
  // type -> {call-center, observer}
  const std::map<std::string, std::pair<int, int>> expected = {
      {"ChannelDialplan", {214, 393}},
      {"ChannelVarset", {161, 392}},
      {"ChannelHangupRequest", {78, 115}},
      {"DeviceStateChanged", {0, 180}},
      {"Dial", {61, 114}},
      {"ChannelStateChange", {66, 98}},
      {"ChannelDestroyed", {44, 80}},
      {"ChannelConnectedLine", {27, 90}},
      {"ChannelCallerId", {25, 85}},
      {"ChannelCreated", {0, 80}},
      {"ChannelEnteredBridge", {29, 29}},
      {"ChannelLeftBridge", {29, 29}},
      {"StasisStart", {33, 0}},
      {"StasisEnd", {33, 0}},
      {"BridgeDestroyed", {14, 14}},
      {"BridgeCreated", {0, 14}},
      {"ChannelDtmfReceived", {2, 2}},
      {"RecordingStarted", {1, 2}},
      {"RecordingFinished", {1, 2}},
  };
  std::map<std::string, std::pair<int, int>> counted;
  for (const Stream& s : AllCaptures().streams) {
    for (const FrameSummary& f : s.frames) {
      auto& [call_center, observer] = counted[f.type];
      ++(s.observer ? observer : call_center);
    }
  }
  for (const auto& [type, counts] : expected) {
    INFO(type);
    CHECK(counted[type] == counts);
  }
  // And no type the README does not list.
  for (const auto& [type, counts] : counted) {
    INFO(type);
    CHECK(expected.count(type) == 1);
  }
}

TEST_CASE("Timestamps go backwards where the README says they do", "[fixtures]") {
  // README point 5: 27 observer frames in 12 captures, and one call-center
  // frame (in k6), are stamped earlier than the frame before them.
  int observer_back = 0, call_center_back = 0;
  std::set<std::string> observer_files, call_center_files;
  for (const Stream& s : AllCaptures().streams) {
    for (std::size_t i = 1; i < s.frames.size(); ++i) {
      if (s.frames[i].event_time_us >= s.frames[i - 1].event_time_us) continue;
      ++(s.observer ? observer_back : call_center_back);
      (s.observer ? observer_files : call_center_files).insert(s.scenario);
    }
  }
  CHECK(observer_back == 27);
  CHECK(observer_files.size() == 12);
  CHECK(call_center_back == 1);
  CHECK(call_center_files == std::set<std::string>{"k6-caller-hangs-up-during-transfer"});
}

TEST_CASE("Both streams agree with the driver's oracle on every call", "[fixtures]") {
  simdjson::dom::parser json;
  int calls_checked = 0;
  for (const Stream& cc : AllCaptures().streams) {
    if (cc.observer) continue;
    const Stream& obs = StreamNamed(cc.scenario + ".observer.jsonl");
    const std::string oracle_text =
        testing::ReadFile(testing::CaptureDir() / (cc.scenario + ".expected.json"));
    simdjson::dom::element oracle;
    REQUIRE(json.parse(oracle_text).get(oracle) == simdjson::SUCCESS);
    simdjson::dom::array calls;
    REQUIRE(oracle["calls"].get(calls) == simdjson::SUCCESS);
    for (simdjson::dom::element call : calls) {
      std::string_view channel, call_id, start_time, app_data;
      REQUIRE(call["call_channel_id"].get(channel) == simdjson::SUCCESS);
      REQUIRE(call["call_id"].get(call_id) == simdjson::SUCCESS);
      REQUIRE(call["start_time"].get(start_time) == simdjson::SUCCESS);
      REQUIRE(call["observer_view"]["stasis_dialplan_app_data"].get(app_data) == simdjson::SUCCESS);
      simdjson::dom::array args_json;
      REQUIRE(call["stasis_args"].get(args_json) == simdjson::SUCCESS);
      Strings args;
      for (simdjson::dom::element arg : args_json) {
        std::string_view text;
        REQUIRE(arg.get(text) == simdjson::SUCCESS);
        args.emplace_back(text);
      }
      INFO(cc.scenario << " call " << channel);

      const FrameSummary& start = cc.frames.at(Find(cc, "StasisStart", channel));
      CHECK(start.stasis_args == args);
      CHECK(start.stasis_app == "call-center");
      CHECK(start.event_time_us == ParseAriTimestamp(start_time));
      CHECK(start.call_ids == (call_id.empty() ? Strings{} : Strings{std::string(call_id)}));

      // The observer rebuilds the same args from the ChannelDialplan.
      const auto entry = std::find_if(obs.frames.begin(), obs.frames.end(), [&](const auto& f) {
        return f.has_stasis_args && !f.channel_ids.empty() && f.channel_ids[0] == channel;
      });
      REQUIRE(entry != obs.frames.end());
      CHECK(entry->stasis_app == "call-center");
      CHECK(entry->stasis_args == args);
      std::string joined = entry->stasis_app;
      for (const std::string& arg : entry->stasis_args) joined += "," + arg;
      CHECK(joined == app_data);
      ++calls_checked;
    }
  }
  CHECK(calls_checked == 18);
}

bool SameSummary(const FrameSummary& a, const FrameSummary& b) {
  return a.type == b.type && a.event_time_us == b.event_time_us && a.asterisk_id == b.asterisk_id &&
         a.application == b.application && a.channel_ids == b.channel_ids &&
         a.bridge_ids == b.bridge_ids && a.channel_name == b.channel_name &&
         a.channel_creation_us == b.channel_creation_us && a.has_stasis_args == b.has_stasis_args &&
         a.stasis_app == b.stasis_app && a.stasis_args == b.stasis_args &&
         a.variable == b.variable && a.value == b.value && a.call_ids == b.call_ids;
}

TEST_CASE("A reused parser carries nothing from one frame to the next", "[fixtures]") {
  // Every frame again, in reverse order and interleaved with rejected
  // frames, through a fresh parser: the summaries must be identical.
  FrameParser parser;
  int compared = 0;
  const auto& streams = AllCaptures().streams;
  for (auto s = streams.rbegin(); s != streams.rend(); ++s) {
    for (std::size_t i = s->lines.size(); i-- > 0;) {
      REQUIRE_FALSE(parser.Parse(s->lines[i].substr(0, s->lines[i].size() / 2)).ok());
      Result<FrameSummary> again = parser.Parse(s->lines[i]);
      REQUIRE(again.ok());
      INFO(s->name << ":" << i + 1);
      REQUIRE(SameSummary(*again, s->frames[i]));
      ++compared;
    }
  }
  CHECK(compared == 2537);
}

}  // namespace
}  // namespace callledger::ari
