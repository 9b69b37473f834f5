// FrameParser: what a frame gives beside its channels and bridges: the type,
// times, the Stasis application and arguments (StasisStart, and
// ChannelDialplan into Stasis), ChannelVarset's variable, and the call ids
// they name; bad timestamps, JSON escapes and duplicate keys.
#include "ari/frame_parser.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ari/timestamp.h"
#include "frame_checks.h"

namespace callledger::ari {
namespace {

using Strings = std::vector<std::string>;
using testing::kStasisStart;
using testing::MustParse;

TEST_CASE("StasisStart gives the type, times, channel and Stasis args", "[frame_parser]") {
  const FrameSummary s = MustParse(kStasisStart);
  CHECK(s.type == "StasisStart");
  REQUIRE(s.event_time_us.has_value());
  CHECK(FormatUtcMillis(*s.event_time_us) == "2026-11-26T09:15:58.161Z");
  CHECK(s.asterisk_id == "02:fc:00:00:00:01");
  CHECK(s.application == "call-center");
  CHECK(s.channel_ids == Strings{"1795684558.5"});
  CHECK(s.bridge_ids.empty());
  CHECK(s.channel_name == "Local/712001122@from-external-00000002;2");
  CHECK(s.channel_creation_us == s.event_time_us);
  CHECK(s.has_stasis_args);
  CHECK(s.stasis_app == "call-center");
  CHECK(s.stasis_args == Strings{"", "kiruvchi", "998901234567", "712001122"});
  // args[0] is empty (the `${UUID}` bug) and no later argument looks like a
  // channel id: nothing names a call.
  CHECK(s.call_ids.empty());
  CHECK(s.variable.empty());
  CHECK(s.value.empty());
}

TEST_CASE("StasisStart call ids: channel-id-shaped arguments, else args[0]", "[frame_parser]") {
  SECTION("an agent leg links to its call channel") {
    const FrameSummary s = MustParse(
        R"({"type":"StasisStart","args":["agent","1795684558.5"],"application":"call-center",)"
        R"("channel":{"id":"1795684558.6","state":"Down"}})");
    CHECK(s.stasis_args == Strings{"agent", "1795684558.5"});
    CHECK(s.call_ids == Strings{"1795684558.5"});
    CHECK(s.channel_ids == Strings{"1795684558.6"});
  }
  SECTION("a real CALL_ID in args[0]") {
    const FrameSummary s = MustParse(
        R"({"type":"StasisStart","args":["7b809176-1248-4c23-b6fd-f7d3b8b374d0","kiruvchi"],)"
        R"("application":"call-center"})");
    CHECK(s.call_ids == Strings{"7b809176-1248-4c23-b6fd-f7d3b8b374d0"});
  }
  SECTION("repeated ids are listed once") {
    const FrameSummary s = MustParse(
        R"({"type":"StasisStart","args":["1.2","x","1.2","3.4","3.4"],"application":"a"})");
    CHECK(s.call_ids == Strings{"1.2", "3.4"});
  }
  SECTION("no args and empty args") {
    const FrameSummary none = MustParse(R"({"type":"StasisStart","application":"a"})");
    CHECK(none.has_stasis_args);
    CHECK(none.stasis_app == "a");
    CHECK(none.stasis_args.empty());
    const FrameSummary empty = MustParse(R"({"type":"StasisStart","args":[],"application":"a"})");
    CHECK(empty.has_stasis_args);
    CHECK(empty.stasis_args.empty());
    CHECK(empty.call_ids.empty());
  }
  SECTION("a non-string argument keeps its position") {
    const FrameSummary s =
        MustParse(R"({"type":"StasisStart","args":["x",5,"1.2"],"application":"a"})");
    CHECK(s.stasis_args == Strings{"x", "", "1.2"});
    CHECK(s.call_ids == Strings{"1.2"});
  }
  SECTION("StasisEnd and other events carry no Stasis args") {
    const FrameSummary s = MustParse(
        R"({"type":"StasisEnd","application":"call-center","channel":{"id":"1.5","state":"Up",)"
        R"("dialplan":{"app_name":"Stasis","app_data":"call-center,x,y"}}})");
    CHECK_FALSE(s.has_stasis_args);
    CHECK(s.stasis_app.empty());
    CHECK(s.stasis_args.empty());
    CHECK(s.call_ids.empty());
    // `args` outside StasisStart (ApplicationMoveFailed has one) is ignored.
    const FrameSummary moved =
        MustParse(R"({"type":"ApplicationMoveFailed","args":["9.9"],"application":"a"})");
    CHECK_FALSE(moved.has_stasis_args);
    CHECK(moved.call_ids.empty());
  }
}

TEST_CASE("ChannelDialplan into Stasis splits the app data", "[frame_parser]") {
  SECTION("production dialplan: empty CALL_ID") {
    const FrameSummary s = MustParse(
        R"({"type":"ChannelDialplan","timestamp":"2026-11-26T14:15:58.161+0500",)"
        R"("dialplan_app":"Stasis","dialplan_app_data":"call-center,,kiruvchi,998901234567,712001122",)"
        R"("channel":{"id":"1795684558.5","name":"Local/712001122@from-external-00000002;2",)"
        R"("state":"Ring","creationtime":"2026-11-26T14:15:58.161+0500"},)"
        R"("asterisk_id":"02:fc:00:00:00:01","application":"call-ledger"})");
    CHECK(s.has_stasis_args);
    CHECK(s.stasis_app == "call-center");
    CHECK(s.stasis_args == Strings{"", "kiruvchi", "998901234567", "712001122"});
    CHECK(s.call_ids.empty());
    // The frame's own application is the observer, not the Stasis app.
    CHECK(s.application == "call-ledger");
    CHECK(s.channel_ids == Strings{"1795684558.5"});
  }
  SECTION("with a CALL_ID") {
    const FrameSummary s = MustParse(
        R"({"type":"ChannelDialplan","dialplan_app":"Stasis",)"
        R"("dialplan_app_data":"call-center,50fa586c-7859-4d35-b13e-4f80a0ad5c61,chiquvchi,101,998935556677"})");
    CHECK(s.stasis_args.size() == 4);
    CHECK(s.call_ids == Strings{"50fa586c-7859-4d35-b13e-4f80a0ad5c61"});
  }
  SECTION("the application alone has no arguments") {
    const FrameSummary s = MustParse(
        R"({"type":"ChannelDialplan","dialplan_app":"Stasis","dialplan_app_data":"call-center"})");
    CHECK(s.has_stasis_args);
    CHECK(s.stasis_app == "call-center");
    CHECK(s.stasis_args.empty());
  }
  SECTION("empty trailing arguments are kept") {
    const FrameSummary s = MustParse(
        R"({"type":"ChannelDialplan","dialplan_app":"Stasis","dialplan_app_data":"app,a,,"})");
    CHECK(s.stasis_args == Strings{"a", "", ""});
  }
  SECTION("other dialplan applications are not Stasis") {
    const FrameSummary s = MustParse(
        R"json({"type":"ChannelDialplan","dialplan_app":"AppDial2","dialplan_app_data":"(Outgoing Line)",)json"
        R"("channel":{"id":"1795684558.4","state":"Down"}})");
    CHECK(s.type == "ChannelDialplan");
    CHECK_FALSE(s.has_stasis_args);
    CHECK(s.stasis_app.empty());
    CHECK(s.stasis_args.empty());
    CHECK(s.channel_ids == Strings{"1795684558.4"});
  }
}

TEST_CASE("ChannelVarset gives the variable, value and CALL_ID", "[frame_parser]") {
  SECTION("CALL_ID with a value names the call") {
    // `variable` and `value` come before `type`, as in the real frames.
    const FrameSummary s = MustParse(
        R"({"variable":"CALL_ID","value":"5ed1a455-82cc-4142-a05f-2d43f39a7f39","type":"ChannelVarset",)"
        R"("timestamp":"2026-11-26T14:16:56.003+0500","channel":{"id":"1795684614.34","state":"Ring"}})");
    CHECK(s.type == "ChannelVarset");
    CHECK(s.variable == "CALL_ID");
    CHECK(s.value == "5ed1a455-82cc-4142-a05f-2d43f39a7f39");
    CHECK(s.call_ids == Strings{"5ed1a455-82cc-4142-a05f-2d43f39a7f39"});
    CHECK(s.channel_ids == Strings{"1795684614.34"});
  }
  SECTION("an empty CALL_ID names nothing") {
    const FrameSummary s = MustParse(R"({"variable":"CALL_ID","value":"","type":"ChannelVarset"})");
    CHECK(s.variable == "CALL_ID");
    CHECK(s.value.empty());
    CHECK(s.call_ids.empty());
  }
  SECTION("other variables are reported but name no call") {
    const FrameSummary s = MustParse(
        R"({"variable":"MIXMONITOR_FILENAME","value":"/var/spool/asterisk/monitor/x.wav","type":"ChannelVarset"})");
    CHECK(s.variable == "MIXMONITOR_FILENAME");
    CHECK(s.value == "/var/spool/asterisk/monitor/x.wav");
    CHECK(s.call_ids.empty());
    // A global variable has no channel.
    CHECK(s.channel_ids.empty());
    CHECK(s.channel_name.empty());
    CHECK_FALSE(s.channel_creation_us.has_value());
  }
  SECTION("variable/value outside ChannelVarset are ignored") {
    const FrameSummary s = MustParse(R"({"type":"Other","variable":"CALL_ID","value":"x"})");
    CHECK(s.variable.empty());
    CHECK(s.value.empty());
    CHECK(s.call_ids.empty());
  }
}

TEST_CASE("A bad timestamp is not an error", "[frame_parser]") {
  const FrameSummary word = MustParse(
      R"({"type":"X","timestamp":"yesterday","channel":{"id":"1.1","creationtime":"soon"}})");
  CHECK_FALSE(word.event_time_us.has_value());
  CHECK_FALSE(word.channel_creation_us.has_value());
  CHECK(word.channel_ids == Strings{"1.1"});
  const FrameSummary number = MustParse(R"({"type":"X","timestamp":1795684558})");
  CHECK_FALSE(number.event_time_us.has_value());
  const FrameSummary no_zone = MustParse(R"({"type":"X","timestamp":"2026-11-26T14:15:58.161"})");
  CHECK_FALSE(no_zone.event_time_us.has_value());
}

TEST_CASE("JSON escapes are decoded and duplicate keys resolved", "[frame_parser]") {
  const FrameSummary s =
      MustParse(R"({"type":"\u0053tasisStart","args":["a\"b","caf\u00e9"],"application":"x\/y"})");
  CHECK(s.type == "StasisStart");
  CHECK(s.stasis_args == Strings{"a\"b", "caf\xC3\xA9"});
  CHECK(s.application == "x/y");
  // The first occurrence wins, as with simdjson's at_key().
  const FrameSummary dup =
      MustParse(R"({"type":"A","type":"B","channel":{"id":"1.1"},"channel":{"id":"2.2"}})");
  CHECK(dup.type == "A");
  CHECK(dup.channel_ids == Strings{"1.1"});
  // Whitespace around the object is allowed.
  CHECK(MustParse(" \t\r\n{\"type\":\"X\"}\n ").type == "X");
}

}  // namespace
}  // namespace callledger::ari
