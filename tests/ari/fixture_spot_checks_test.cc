// Spot checks of single captured frames (fixtures/asterisk, parsed once by
// ari/captures.h): the first frame of a scenario, StasisStart of a call and
// of its agent leg, Stasis entry as the observer sees it, Dial, the ARI
// recording's bridge, and UTF-8 caller names, intact and damaged.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ari/frame_parser.h"
#include "captures.h"

namespace callledger::ari {
namespace {

using Strings = std::vector<std::string>;
using testing::AllCaptures;
using testing::Find;
using testing::Stream;
using testing::StreamNamed;
using testing::Utc;

TEST_CASE("Spot check: the first frame of scenario a", "[fixtures]") {
  const Stream& s = StreamNamed("a-inbound-answered.observer.jsonl");
  const FrameSummary& f = s.frames.at(0);
  CHECK(f.type == "ChannelCreated");
  CHECK(f.channel_ids == Strings{"1795684558.4"});
  CHECK(f.bridge_ids.empty());
  CHECK(Utc(f.event_time_us) == "2026-11-26T09:15:58.161Z");
  CHECK(f.event_time_us == 1795684558161000);
  CHECK(f.channel_name == "Local/712001122@from-external-00000002;1");
  CHECK(f.channel_creation_us == f.event_time_us);
  CHECK_FALSE(f.has_stasis_args);
  CHECK(f.call_ids.empty());
}

TEST_CASE("Spot check: StasisStart of the call and of the agent leg", "[fixtures]") {
  const Stream& s = StreamNamed("a-inbound-answered.call-center.jsonl");
  const FrameSummary& call = s.frames.at(Find(s, "StasisStart", "1795684558.5"));
  CHECK(call.has_stasis_args);
  CHECK(call.stasis_app == "call-center");
  CHECK(call.stasis_args == Strings{"", "kiruvchi", "998901234567", "712001122"});
  CHECK(call.call_ids.empty());
  CHECK(call.channel_name == "Local/712001122@from-external-00000002;2");
  CHECK(Utc(call.event_time_us) == "2026-11-26T09:15:58.161Z");

  // The agent leg names the call channel in args[1]; its role word in
  // args[0] is not a call id.
  const FrameSummary& agent = s.frames.at(Find(s, "StasisStart", "1795684558.6"));
  CHECK(agent.stasis_args == Strings{"agent", "1795684558.5"});
  CHECK(agent.call_ids == Strings{"1795684558.5"});
  CHECK(agent.channel_name == "Local/101@agents-00000003;1");
  CHECK(Utc(agent.event_time_us) == "2026-11-26T09:16:00.198Z");
}

TEST_CASE("Spot check: the observer sees Stasis entry as a ChannelDialplan", "[fixtures]") {
  const Stream& s = StreamNamed("a-inbound-answered.observer.jsonl");
  int stasis_frames = 0;
  for (const FrameSummary& f : s.frames) {
    CHECK(f.type != "StasisStart");
    if (!f.has_stasis_args) continue;
    ++stasis_frames;
    CHECK(f.type == "ChannelDialplan");
    CHECK(f.channel_ids == Strings{"1795684558.5"});
    CHECK(f.stasis_app == "call-center");
    CHECK(f.stasis_args == Strings{"", "kiruvchi", "998901234567", "712001122"});
    CHECK(f.application == "call-ledger");
  }
  CHECK(stasis_frames == 1);

  // With `${UUID()}` (a2) the CALL_ID is real and names the call both in the
  // app data and in ChannelVarset.
  const Stream& a2 = StreamNamed("a2-inbound-answered-uuidfn.observer.jsonl");
  const std::string uuid = "7b809176-1248-4c23-b6fd-f7d3b8b374d0";
  const auto stasis = std::find_if(a2.frames.begin(), a2.frames.end(),
                                   [](const FrameSummary& f) { return f.has_stasis_args; });
  REQUIRE(stasis != a2.frames.end());
  CHECK(stasis->call_ids == Strings{uuid});
  CHECK(stasis->stasis_args.at(0) == uuid);
  CHECK(stasis->channel_ids == Strings{"1795684567.9"});
  const auto varset = std::find_if(a2.frames.begin(), a2.frames.end(), [](const FrameSummary& f) {
    return f.type == "ChannelVarset" && f.variable == "CALL_ID";
  });
  REQUIRE(varset != a2.frames.end());
  CHECK(varset->value == uuid);
  CHECK(varset->call_ids == Strings{uuid});
  CHECK(varset->channel_ids == Strings{"1795684567.9"});
}

TEST_CASE("Spot check: Dial frames name the dialled peer only", "[fixtures]") {
  const Stream& s = StreamNamed("a-inbound-answered.call-center.jsonl");
  const FrameSummary& dial = s.frames.at(6);  // Line 7.
  CHECK(dial.type == "Dial");
  CHECK(dial.channel_ids == Strings{"1795684558.6"});
  CHECK(dial.channel_name.empty());  // No `channel` object in a Dial.
  CHECK(Utc(dial.event_time_us) == "2026-11-26T09:15:58.197Z");
  // README: `peer` is the dialled channel and there is no `caller`.
  for (const Stream& stream : AllCaptures().streams) {
    for (const FrameSummary& f : stream.frames) {
      if (f.type == "Dial") CHECK(f.channel_ids.size() == 1);
    }
  }
}

TEST_CASE("Spot check: the ARI recording names its bridge", "[fixtures]") {
  const std::string bridge = "11033103-7cb7-4730-83f4-dcae3b22cb27";
  const Stream& cc = StreamNamed("f-inbound-recorded-ari.call-center.jsonl");
  const Stream& obs = StreamNamed("f-inbound-recorded-ari.observer.jsonl");
  const FrameSummary& started = cc.frames.at(Find(cc, "RecordingStarted"));
  CHECK(started.bridge_ids == Strings{bridge});
  CHECK(started.channel_ids.empty());
  CHECK(Utc(started.event_time_us) == "2026-11-26T09:16:56.003Z");
  // The observer gets RecordingStarted twice, identical.
  int observer_starts = 0;
  for (const FrameSummary& f : obs.frames) {
    if (f.type != "RecordingStarted" && f.type != "RecordingFinished") continue;
    CHECK(f.bridge_ids == Strings{bridge});
    observer_starts += f.type == "RecordingStarted";
  }
  CHECK(observer_starts == 2);
  // The same bridge is the one the call channel entered.
  const FrameSummary& entered = cc.frames.at(Find(cc, "ChannelEnteredBridge", "1795684614.33"));
  CHECK(entered.bridge_ids == Strings{bridge});
}

TEST_CASE("Spot check: UTF-8 caller names pass and damaged ones do not", "[fixtures]") {
  const Stream& s = StreamNamed("h-inbound-utf8-callername.call-center.jsonl");
  // Raw UTF-8 as sent: U+02BB MODIFIER LETTER TURNED COMMA, then Cyrillic.
  const std::pair<const char*, const char*> calls[] = {
      {"1795684632.43", "\"name\":\"O\xCA\xBBtkir Xo\xCA\xBBjayev\""},
      {"1795684633.47",
       "\"name\":\"\xD0\x8E\xD1\x82\xD0\xBA\xD0\xB8\xD1\x80 "
       "\xD0\xA5\xD1\x9E\xD0\xB6\xD0\xB0\xD0\xB5"
       "\xD0\xB2\""},
      {"1795684633.51", "\"name\":\"O'tkir Xo'jayev\""},
  };
  FrameParser parser;
  for (const auto& [channel, name] : calls) {
    INFO(channel);
    const std::size_t i = Find(s, "StasisStart", channel);
    const std::string& line = s.lines[i];
    const std::size_t at = line.find(name);
    REQUIRE(at != std::string::npos);
    CHECK(s.frames[i].stasis_args.at(1) == "kiruvchi");

    // Replace the name's third byte with '(' (0x28): in the two non-ASCII
    // names that breaks a multi-byte sequence; the ASCII one stays valid.
    std::string damaged = line;
    damaged[at + std::string_view(R"("name":")").size() + 2] = '(';
    Result<FrameSummary> r = parser.Parse(damaged);
    if (std::string_view(name).find("O'tkir") != std::string_view::npos) {
      CHECK(r.ok());
    } else {
      REQUIRE_FALSE(r.ok());
      CHECK_THAT(r.status().message(), Catch::Contains("UTF-8"));
    }
  }
}

}  // namespace
}  // namespace callledger::ari
