// FrameParser: the channels and bridges a frame names (Dial legs, transfers,
// bridge events, recording and playback targets), in document order and
// without duplicates; objects that are neither; unknown event types; and
// what looks like a channel id.
#include "ari/frame_parser.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ari/timestamp.h"
#include "frame_checks.h"

namespace callledger::ari {
namespace {

using Strings = std::vector<std::string>;
using testing::MustParse;

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
