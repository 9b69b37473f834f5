#include "ari/frame_parser.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ari/timestamp.h"

namespace callledger::ari {
namespace {

using Strings = std::vector<std::string>;

// Parses a frame that must be accepted.
FrameSummary MustParse(FrameParser& parser, std::string_view frame) {
  Result<FrameSummary> result = parser.Parse(frame);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return std::move(result).value();
}

FrameSummary MustParse(std::string_view frame) {
  FrameParser parser;
  return MustParse(parser, frame);
}

// Parses a frame that must be rejected; returns the error.
Status MustFail(FrameParser& parser, std::string_view frame) {
  Result<FrameSummary> result = parser.Parse(frame);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == Code::kInvalidInput);
  CHECK_FALSE(result.status().message().empty());
  return result.status();
}

Status MustFail(std::string_view frame) {
  FrameParser parser;
  return MustFail(parser, frame);
}

// A real StasisStart of the call channel (scenario a, call-center stream).
constexpr std::string_view kStasisStart =
    R"({"type":"StasisStart","timestamp":"2026-11-26T14:15:58.161+0500","args":["","kiruvchi","998901234567","712001122"],"channel":{"id":"1795684558.5","name":"Local/712001122@from-external-00000002;2","state":"Ring","protocol_id":"","caller":{"name":"","number":"998901234567"},"connected":{"name":"","number":"998901234567"},"accountcode":"","dialplan":{"context":"from-external","exten":"712001122","priority":3,"app_name":"Stasis","app_data":"call-center,,kiruvchi,998901234567,712001122"},"creationtime":"2026-11-26T14:15:58.161+0500","language":"en"},"asterisk_id":"02:fc:00:00:00:01","application":"call-center"})";

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

TEST_CASE("Dial lists caller and peer channels in document order", "[frame_parser]") {
  const FrameSummary s = MustParse(
      R"({"type":"Dial","timestamp":"2026-11-26T14:15:58.197+0500","dialstatus":"RINGING","forward":"",)"
      R"("caller":{"id":"1795684558.5","name":"Local/712001122@from-external-00000002;2","state":"Ring",)"
      R"("caller":{"name":"","number":"998901234567"}},)"
      R"("dialstring":"101@agents",)"
      R"("peer":{"id":"1795684558.6","name":"Local/101@agents-00000003;1","state":"Down",)"
      R"("dialplan":{"context":"agents","exten":"101","priority":1}},)"
      R"("asterisk_id":"02:fc:00:00:00:01","application":"call-center"})");
  CHECK(s.type == "Dial");
  CHECK(s.channel_ids == Strings{"1795684558.5", "1795684558.6"});
  CHECK(s.bridge_ids.empty());
  // No `channel` object: no subject name or creation time.
  CHECK(s.channel_name.empty());
  CHECK_FALSE(s.channel_creation_us.has_value());

  SECTION("peer first when it comes first") {
    const FrameSummary r = MustParse(
        R"({"type":"Dial","peer":{"id":"2.2","state":"Down"},"caller":{"id":"1.1","state":"Up"}})");
    CHECK(r.channel_ids == Strings{"2.2", "1.1"});
  }
  SECTION("the channel object comes first wherever it is") {
    const FrameSummary r = MustParse(
        R"({"type":"Dial","peer":{"id":"2.2","state":"Down"},"forwarded":{"id":"3.3","caller":{}},)"
        R"("channel":{"id":"1.1","name":"n","creationtime":"2026-11-26T14:15:58.161+0500"}})");
    CHECK(r.channel_ids == Strings{"1.1", "2.2", "3.3"});
    CHECK(r.channel_name == "n");
    CHECK(r.channel_creation_us == ParseAriTimestamp("2026-11-26T14:15:58.161+0500"));
  }
  SECTION("a channel named twice is listed once") {
    const FrameSummary r =
        MustParse(R"({"type":"Dial","channel":{"id":"1.1"},"peer":{"id":"1.1","state":"Up"},)"
                  R"("caller":{"id":"2.2","state":"Up"},"forwarded":{"id":"2.2","state":"Up"}})");
    CHECK(r.channel_ids == Strings{"1.1", "2.2"});
  }
}

TEST_CASE("A transfer frame lists every channel and bridge", "[frame_parser]") {
  // Shaped like ARI's BridgeAttendedTransfer (channels trimmed).
  const FrameSummary s = MustParse(R"({
    "type": "BridgeAttendedTransfer",
    "timestamp": "2026-11-26T14:20:00.000+0500",
    "result": "Success",
    "is_external": false,
    "transferer_first_leg": {"id": "100.1", "name": "PJSIP/101-1", "state": "Up"},
    "transferer_second_leg": {"id": "100.2", "state": "Up", "caller": {"name": "", "number": "101"}},
    "transferer_first_leg_bridge": {"id": "bridge-a", "technology": "simple_bridge", "bridge_type": "mixing", "channels": ["100.1", "100.9"]},
    "transferer_second_leg_bridge": {"id": "bridge-b", "bridge_type": "mixing"},
    "transferee": {"id": "100.9", "state": "Up", "dialplan": {"context": "x"}},
    "transfer_target": {"id": "100.3", "state": "Up"},
    "replace_channel": {"id": "100.2", "state": "Up"},
    "destination_type": "bridge",
    "destination_bridge": "bridge-a",
    "destination_threeway_channel": {"id": "100.4", "state": "Up"},
    "destination_threeway_bridge": {"id": "bridge-c", "technology": "softmix"},
    "destination_link_first_leg": {"id": "100.5", "state": "Up"},
    "destination_link_second_leg": {"id": "100.6", "state": "Up"},
    "asterisk_id": "02:fc:00:00:00:01",
    "application": "call-center"
  })");
  CHECK(s.type == "BridgeAttendedTransfer");
  CHECK(s.event_time_us.has_value());
  CHECK(s.channel_ids == Strings{"100.1", "100.2", "100.9", "100.3", "100.4", "100.5", "100.6"});
  CHECK(s.bridge_ids == Strings{"bridge-a", "bridge-b", "bridge-c"});
  CHECK(s.channel_name.empty());

  // A destination_bridge named nowhere else still counts.
  const FrameSummary blind = MustParse(
      R"({"type":"BridgeAttendedTransfer","destination_type":"bridge","destination_bridge":"bridge-z",)"
      R"("transferee":{"id":"1.1","state":"Up"}})");
  CHECK(blind.bridge_ids == Strings{"bridge-z"});
  CHECK(blind.channel_ids == Strings{"1.1"});
  // Empty, it names nothing.
  CHECK(MustParse(R"({"type":"X","destination_bridge":""})").bridge_ids.empty());
}

TEST_CASE("Bridge events list the bridge and the channel", "[frame_parser]") {
  const FrameSummary entered = MustParse(
      R"({"type":"ChannelEnteredBridge","timestamp":"2026-11-26T14:16:00.205+0500",)"
      R"("bridge":{"id":"9abfe064-4e54-4d4f-8ccb-2c4b1b23cfd7","technology":"simple_bridge",)"
      R"("bridge_type":"mixing","channels":["1795684558.5","7.7"]},)"
      R"("channel":{"id":"1795684558.5","state":"Up"}})");
  CHECK(entered.channel_ids == Strings{"1795684558.5"});
  CHECK(entered.bridge_ids == Strings{"9abfe064-4e54-4d4f-8ccb-2c4b1b23cfd7"});

  // BridgeMerged names two bridges and no channel.
  const FrameSummary merged =
      MustParse(R"({"type":"BridgeMerged","bridge":{"id":"b1","technology":"simple_bridge"},)"
                R"("bridge_from":{"id":"b2","bridge_type":"mixing"}})");
  CHECK(merged.channel_ids.empty());
  CHECK(merged.bridge_ids == Strings{"b1", "b2"});

  // A `bridge` object is a bridge even without its usual fields.
  const FrameSummary bare = MustParse(R"({"type":"BridgeDestroyed","bridge":{"id":"b1"}})");
  CHECK(bare.bridge_ids == Strings{"b1"});
}

TEST_CASE("Recordings and playbacks count their target", "[frame_parser]") {
  SECTION("RecordingStarted on a bridge") {
    const FrameSummary s =
        MustParse(R"({"type":"RecordingStarted","timestamp":"2026-11-26T14:16:56.003+0500",)"
                  R"("recording":{"name":"1795684614.33","format":"wav","state":"recording",)"
                  R"("target_uri":"bridge:11033103-7cb7-4730-83f4-dcae3b22cb27"},)"
                  R"("asterisk_id":"02:fc:00:00:00:01","application":"call-center"})");
    CHECK(s.bridge_ids == Strings{"11033103-7cb7-4730-83f4-dcae3b22cb27"});
    CHECK(s.channel_ids.empty());
    // The recording's name is a channel id by convention only; it is no
    // channel of this frame.
    CHECK(s.call_ids.empty());
  }
  SECTION("a playback on a channel is not itself a channel") {
    // A playback has an `id` and a `state`, like a channel; only its target
    // counts.
    const FrameSummary s = MustParse(
        R"({"type":"PlaybackStarted","playback":{"id":"6c1b4e2a-pb","media_uri":"sound:hello",)"
        R"("target_uri":"channel:1795684558.5","language":"en","state":"playing"}})");
    CHECK(s.channel_ids == Strings{"1795684558.5"});
    CHECK(s.bridge_ids.empty());
  }
  SECTION("other targets and empty ids are ignored") {
    const FrameSummary s = MustParse(
        R"({"type":"PlaybackStarted","playback":{"id":"p","target_uri":"endpoint:PJSIP/101"},)"
        R"("recording":{"target_uri":"channel:"},"x":{"target_uri":"bridge:"}})");
    CHECK(s.channel_ids.empty());
    CHECK(s.bridge_ids.empty());
  }
}

TEST_CASE("Objects that are neither channels nor bridges are ignored", "[frame_parser]") {
  const FrameSummary s = MustParse(
      R"({"type":"DeviceStateChanged","application":"call-ledger","timestamp":"2026-11-26T14:15:58.205+0500",)"
      R"("device_state":{"name":"Local/712001122@from-external","state":"INUSE"},)"
      R"("endpoint":{"technology":"PJSIP","resource":"101","state":"online","channel_ids":["1.1"]},)"
      R"("thing":{"id":"x","colour":"blue"},"nameless":{"state":"Up"},"numeric":{"id":5,"state":"Up"},)"
      R"("asterisk_id":"02:fc:00:00:00:01"})");
  CHECK(s.type == "DeviceStateChanged");
  CHECK(s.channel_ids.empty());
  CHECK(s.bridge_ids.empty());
  CHECK(s.application == "call-ledger");
}

TEST_CASE("Unknown event types are summarised like any other", "[frame_parser]") {
  const FrameSummary s =
      MustParse(R"({"type":"SomethingFromAsterisk23","timestamp":"2026-11-26T14:15:58.161+0500",)"
                R"("new_leg":{"id":"5.5","state":"Ring"},"asterisk_id":"a","application":"b"})");
  CHECK(s.type == "SomethingFromAsterisk23");
  CHECK(s.channel_ids == Strings{"5.5"});
  CHECK(s.asterisk_id == "a");
  CHECK(s.application == "b");
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

TEST_CASE("Frames that are not JSON objects with a string type are rejected", "[frame_parser]") {
  CHECK(MustFail("").message() == "frame is empty");
  CHECK_THAT(MustFail("   \n").message(), Catch::Contains("empty"));
  CHECK(MustFail("{}").message() == "frame has no \"type\" field");
  CHECK(MustFail(R"({"kind":"StasisStart","channel":{"type":"x"}})").message() ==
        "frame has no \"type\" field");
  CHECK(MustFail(R"({"type":5})").message() == "frame's \"type\" field is a number, not a string");
  CHECK_THAT(MustFail(R"({"type":null})").message(), Catch::Contains("not a string"));
  CHECK_THAT(MustFail(R"({"type":["StasisStart"]})").message(), Catch::Contains("not a string"));
  CHECK_THAT(MustFail(R"({"type":{"name":"x"}})").message(), Catch::Contains("not a string"));
  CHECK(MustFail("[]").message() == "frame is not a JSON object (it is an array)");
  CHECK(MustFail("42").message() == "frame is not a JSON object (it is a number)");
  CHECK(MustFail(R"("x")").message() == "frame is not a JSON object (it is a string)");
  CHECK(MustFail("null").message() == "frame is not a JSON object (it is null)");
  CHECK(MustFail("true").message() == "frame is not a JSON object (it is a boolean)");
}

TEST_CASE("Truncated JSON is rejected at every length", "[frame_parser]") {
  FrameParser parser;
  // Every proper prefix of a frame is invalid JSON: its closing brace is
  // its last byte.
  for (std::size_t n = 1; n < kStasisStart.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    const Status status = MustFail(parser, kStasisStart.substr(0, n));
    CHECK_THAT(status.message(), Catch::StartsWith("frame is not valid JSON: ") ||
                                     Catch::StartsWith("frame is not a JSON object"));
  }
  // The parser is still usable after all those errors.
  CHECK(MustParse(parser, kStasisStart).type == "StasisStart");
}

TEST_CASE("A syntax error anywhere is rejected, even in fields we never read", "[frame_parser]") {
  const char* const bad[] = {
      R"({"type":"X","caller_presentation":01})",          // Leading zero.
      R"({"type":"X","soft":tru})",                        // Bad literal.
      R"({"type":"X","soft":nul})",                        // Bad literal.
      R"({"type":"X","cause":1.})",                        // Bad number.
      R"({"type":"X","cause":-})",                         // Bad number.
      R"({"type":"X","a":[1,2,]})",                        // Trailing comma.
      R"({"type":"X","a":{"b":1,}})",                      // Trailing comma.
      R"({"type":"X",})",                                  // Trailing comma.
      R"({"type":"X" "a":1})",                             // Missing comma.
      R"({"type":"X","a" 1})",                             // Missing colon.
      R"({"type":"X","a":'single'})",                      // Single quotes.
      R"({"type":"X","a":"bad \x escape"})",               // Bad escape.
      R"({"type":"X","a":"\u12"})",                        // Short \u escape.
      R"({"type":"X","channel":{"caller":{"name":"a"}})",  // Unbalanced.
      R"({"type":"X"}})",                                  // Extra brace.
      R"({"type":"X"} {"type":"Y"})",                      // Two documents.
      R"({"type":"X"},)",                                  // Trailing comma.
      R"({type:"X"})",                                     // Unquoted key.
      R"({"type":"X","a":NaN})",                           // Not JSON.
      "{\"type\":\"X\",\"a\":\"line\nfeed\"}",             // Raw control char.
  };
  FrameParser parser;
  for (const char* frame : bad) {
    INFO(frame);
    CHECK_THAT(MustFail(parser, frame).message(), Catch::StartsWith("frame is not valid JSON: "));
  }
  // A raw NUL inside a string is a control character, not the end.
  const std::string nul("{\"type\":\"X\",\"a\":\"x\0y\"}", 21);
  CHECK_THAT(MustFail(parser, nul).message(), Catch::StartsWith("frame is not valid JSON: "));
}

TEST_CASE("Invalid UTF-8 is rejected", "[frame_parser]") {
  FrameParser parser;
  // \xC3 starts a two-byte sequence; \x28 is not a continuation byte.
  const Status in_type = MustFail(parser, "{\"type\":\"Stasis\xC3\x28Start\"}");
  CHECK_THAT(in_type.message(), Catch::Contains("UTF-8"));
  // In a caller name we never read.
  const Status in_name = MustFail(
      parser,
      "{\"type\":\"X\",\"channel\":{\"id\":\"1.1\",\"caller\":{\"name\":\"O\xC3\x28tkir\"}}}");
  CHECK_THAT(in_name.message(), Catch::Contains("UTF-8"));
  // Overlong encoding of '/', a lone continuation byte, a truncated
  // sequence at the end, and a UTF-16 surrogate encoded as UTF-8.
  for (const char* bytes : {"\xC0\xAF", "\x80", "\xE2\x82", "\xED\xA0\x80", "\xFF"}) {
    const std::string frame = std::string("{\"type\":\"X\",\"a\":\"") + bytes + "\"}";
    INFO(frame);
    CHECK_THAT(MustFail(parser, frame).message(), Catch::Contains("UTF-8"));
  }
  // Valid multi-byte UTF-8 passes through unchanged.
  const FrameSummary s = MustParse(parser,
                                   "{\"type\":\"X\",\"channel\":{\"id\":\"1.1\",\"name\":"
                                   "\"O\xCA\xBBtkir \xD0\x8E\xF0\x9F\x93\x9E\"}}");
  CHECK(s.channel_name == "O\xCA\xBBtkir \xD0\x8E\xF0\x9F\x93\x9E");
}

TEST_CASE("Frames over the size limit are rejected before parsing", "[frame_parser]") {
  FrameParser parser;
  REQUIRE(parser.limits().max_frame_bytes == 1 << 20);
  // Valid JSON, so only the size can reject it.
  std::string big = R"({"type":"X","pad":")";
  big += std::string(2 << 20, 'a');
  big += R"("})";
  const Status status = MustFail(parser, big);
  CHECK_THAT(status.message(), Catch::Contains(std::to_string(big.size()) + " bytes"));
  CHECK_THAT(status.message(), Catch::Contains("1048576"));

  // Exactly at the limit is fine; one byte more is not.
  std::string exact = R"({"type":"X","pad":")";
  exact += std::string((1 << 20) - exact.size() - 2, 'a');
  exact += R"("})";
  REQUIRE(exact.size() == 1 << 20);
  CHECK(MustParse(parser, exact).type == "X");
  const std::string over = R"({"type":"X","pad":"a)" + exact.substr(19);
  REQUIRE(over.size() == (1 << 20) + 1);
  CHECK_THAT(MustFail(parser, over).message(), Catch::Contains("1048577 bytes"));
}

TEST_CASE("Deep nesting gives an error, not a crash", "[frame_parser]") {
  FrameParser parser;
  REQUIRE(parser.limits().max_depth == 64);
  const std::size_t kDeep = 100000;
  SECTION("balanced") {
    const std::string frame = std::string(kDeep, '[') + std::string(kDeep, ']');
    CHECK(MustFail(parser, frame).message() == "frame is nested deeper than 64 levels");
  }
  SECTION("inside an object") {
    const std::string frame =
        R"({"type":"X","a":)" + std::string(kDeep, '[') + std::string(kDeep, ']') + "}";
    CHECK(MustFail(parser, frame).message() == "frame is nested deeper than 64 levels");
  }
  SECTION("unbalanced: only opening brackets") {
    // simdjson finds the imbalance before the depth: still a clear error.
    CHECK_THAT(MustFail(parser, std::string(kDeep, '[')).message(),
               Catch::StartsWith("frame is not valid JSON"));
    CHECK_THAT(MustFail(parser, R"({"type":"X","a":)" + std::string(kDeep, '{')).message(),
               Catch::StartsWith("frame is not valid JSON"));
  }
  SECTION("64 levels are allowed, 65 are not") {
    // The frame object is level 1 and every value inside a container is one
    // level deeper, scalars included: real frames reach level 4
    // (channel.caller.name).
    auto nested = [](std::size_t levels) {
      return R"({"type":"X","a":)" + std::string(levels - 1, '[') + std::string(levels - 1, ']') +
             "}";
    };
    CHECK(MustParse(parser, nested(64)).type == "X");
    CHECK(MustFail(parser, nested(65)).message() == "frame is nested deeper than 64 levels");
    auto scalar_at = [](std::size_t level) {
      return R"({"type":"X","a":)" + std::string(level - 2, '[') + "1" +
             std::string(level - 2, ']') + "}";
    };
    CHECK(MustParse(parser, scalar_at(64)).type == "X");
    CHECK(MustFail(parser, scalar_at(65)).message() == "frame is nested deeper than 64 levels");
  }
  // And the parser still works afterwards.
  CHECK(MustParse(parser, kStasisStart).type == "StasisStart");
}

TEST_CASE("Binary garbage is rejected", "[frame_parser]") {
  FrameParser parser;
  std::mt19937 rng(1795684558);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(1, 2000);
  for (int i = 0; i < 2000; ++i) {
    std::string frame(static_cast<std::size_t>(length(rng)), '\0');
    for (char& c : frame) c = static_cast<char>(byte(rng));
    // Half of them look like the start of an object, to get past stage 1.
    if (i % 2 == 1) frame[0] = '{';
    Result<FrameSummary> result = parser.Parse(frame);
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.status().code() == Code::kInvalidInput);
  }
  const std::string zeros(64, '\0');
  CHECK_THAT(MustFail(parser, zeros).message(), Catch::StartsWith("frame is"));
  CHECK(MustParse(parser, kStasisStart).type == "StasisStart");
}

TEST_CASE("Custom limits apply", "[frame_parser]") {
  FrameLimits limits;
  limits.max_frame_bytes = 64;
  limits.max_depth = 3;
  FrameParser parser(limits);
  CHECK(parser.limits().max_frame_bytes == 64);
  CHECK(parser.limits().max_depth == 3);

  CHECK(MustParse(parser, R"({"type":"X","a":{"b":1}})").type == "X");
  CHECK(MustParse(parser, R"({"type":"X","a":{"b":[]}})").type == "X");
  CHECK(MustFail(parser, R"({"type":"X","a":{"b":[1]}})").message() ==
        "frame is nested deeper than 3 levels");
  const std::string frame65 = R"({"type":"X","pad":")" + std::string(65 - 21, 'a') + R"("})";
  REQUIRE(frame65.size() == 65);
  CHECK(MustFail(parser, frame65).message() == "frame is 65 bytes, larger than the 64-byte limit");
  CHECK(MustParse(parser, frame65.substr(0, 19) + frame65.substr(20)).type == "X");
  // A real frame is over this limit.
  CHECK_THAT(MustFail(parser, kStasisStart).message(), Catch::Contains("64-byte limit"));

  SECTION("a depth limit below 2 rejects every frame, without crashing") {
    // A frame's fields are at level 2.
    for (std::size_t depth : {0, 1}) {
      FrameParser flat(FrameLimits{1024, depth});
      CHECK_THAT(MustFail(flat, R"({"type":"X"})").message(), Catch::Contains("deeper"));
    }
    FrameParser two(FrameLimits{1024, 2});
    CHECK(MustParse(two, R"({"type":"X","a":1})").type == "X");
    CHECK_THAT(MustFail(two, R"({"type":"X","a":[1]})").message(), Catch::Contains("deeper"));
  }
}

TEST_CASE("ParseFrame uses default limits", "[frame_parser]") {
  Result<FrameSummary> ok = ParseFrame(kStasisStart);
  REQUIRE(ok.ok());
  CHECK(ok->channel_ids == Strings{"1795684558.5"});
  CHECK_FALSE(ParseFrame("{}").ok());
  CHECK_FALSE(ParseFrame(std::string((1 << 20) + 1, ' ')).ok());
}

TEST_CASE("LooksLikeChannelId accepts digits.digits only", "[frame_parser]") {
  CHECK(LooksLikeChannelId("1795684558.4"));
  CHECK(LooksLikeChannelId("1795684614.33"));
  CHECK(LooksLikeChannelId("0.0"));
  for (const char* s : {"", ".", "1.", ".1", "1795684558", "1.2.3", "a.1", "1.a", "1795684558.4 ",
                        " 1.4", "-1.2", "+1.2", "1,2", "agent", "kiruvchi", "998901234567",
                        "7b809176-1248-4c23-b6fd-f7d3b8b374d0", "\xEF\xBC\x91.2"}) {
    INFO(s);
    CHECK_FALSE(LooksLikeChannelId(s));
  }
  CHECK_FALSE(LooksLikeChannelId(std::string_view("1.2\0", 4)));
}

}  // namespace
}  // namespace callledger::ari
