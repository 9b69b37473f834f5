// ari-sim without sockets: the live state behind /ari/channels and
// /ari/bridges, checked against the real captures and against what the real
// Asterisk answered (fixtures/asterisk/api/*.json). The replay cursor and its
// pacing: sim_replay_test.cc; credentials and REST answers:
// sim_rest_test.cc.
#include "ari/live_state.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "ari/timestamp.h"
#include "sim_frames.h"
#include "support/fixtures.h"

namespace callledger::arisim {
namespace {

namespace json = boost::json;
using callledger::testing::CaptureDir;
using callledger::testing::Frames;
using callledger::testing::kObserverA;
using callledger::testing::ReadFile;
using callledger::testing::StateAfter;

std::set<std::string> ChannelIdSet(const ari::LiveState& state) {
  const auto ids = state.ChannelIds();
  return {ids.begin(), ids.end()};
}

constexpr const char* kObserverK1 = "k1-transfer-hold-dtmf.observer.jsonl";

TEST_CASE("After the whole k1 capture no channel or bridge is live", "[ari-sim][state]") {
  const auto frames = Frames(kObserverK1);
  REQUIRE(frames.size() == 149);
  ari::LiveState state;
  std::size_t most_channels = 0;
  std::size_t most_bridges = 0;
  for (const auto& frame : frames) {
    state.Apply(frame);
    most_channels = std::max(most_channels, state.ChannelIds().size());
    most_bridges = std::max(most_bridges, state.BridgeIds().size());
  }
  // The call had a caller, two agents and their Local halves, and a bridge.
  CHECK(most_channels >= 4);
  CHECK(most_bridges == 1);
  CHECK(state.frames_applied() == 149);
  CHECK(state.ChannelsJson() == "[]");
  CHECK(state.BridgesJson() == "[]");
}

TEST_CASE("Mid-call state of capture a matches what Asterisk answered at that moment",
          "[ari-sim][state]") {
  // The driver took api/channels-live.json and bridges-live.json 4.716 s
  // into the capture, while the call was bridged; replay the observer frames
  // stamped up to that moment.
  const json::value expected =
      json::parse(ReadFile(CaptureDir() / "a-inbound-answered.expected.json"));
  const auto& run = expected.at("run");
  const auto started = ari::ParseAriTimestamp(run.at("started_at").as_string());
  REQUIRE(started.has_value());
  const double t = run.at("api_snapshots").at(0).at("t").to_number<double>();
  const std::int64_t snapshot_us = *started + static_cast<std::int64_t>(t * 1e6);

  const auto frames = Frames(kObserverA);
  ari::LiveState state;
  std::size_t applied = 0;
  for (const auto& frame : frames) {
    const auto stamp = json::parse(frame).at("timestamp").as_string();
    if (*ari::ParseAriTimestamp(stamp) > snapshot_us) break;
    state.Apply(frame);
    ++applied;
  }
  REQUIRE(applied > 10);
  REQUIRE(applied < frames.size());  // the middle, not the end

  const json::array live_channels =
      json::parse(ReadFile(CaptureDir() / "api" / "channels-live.json")).as_array();
  const json::array live_bridges =
      json::parse(ReadFile(CaptureDir() / "api" / "bridges-live.json")).as_array();
  REQUIRE(live_channels.size() == 4);
  REQUIRE(live_bridges.size() == 1);

  std::set<std::string> asterisk_ids;
  for (const auto& channel : live_channels) {
    asterisk_ids.insert(std::string(channel.at("id").as_string()));
  }
  CHECK(ChannelIdSet(state) == asterisk_ids);

  // Our answer carries the last snapshots: names and states as Asterisk had them.
  const json::array ours = json::parse(state.ChannelsJson()).as_array();
  REQUIRE(ours.size() == 4);
  for (const auto& theirs : live_channels) {
    const std::string id(theirs.at("id").as_string());
    const auto body = state.ChannelJson(id);
    REQUIRE(body.has_value());
    const json::value mine = json::parse(*body);
    CHECK(mine.at("name") == theirs.at("name"));
    CHECK(mine.at("state") == theirs.at("state"));
    CHECK(mine.at("creationtime") == theirs.at("creationtime"));
    CHECK(mine.at("caller") == theirs.at("caller"));
  }

  const json::array bridges = json::parse(state.BridgesJson()).as_array();
  REQUIRE(bridges.size() == 1);
  CHECK(bridges[0].at("id") == live_bridges[0].at("id"));
  const auto members = [](const json::value& bridge) {
    std::set<std::string> out;
    for (const auto& id : bridge.at("channels").as_array()) out.insert(std::string(id.as_string()));
    return out;
  };
  CHECK(members(bridges[0]).size() == 2);
  CHECK(members(bridges[0]) == members(live_bridges[0]));
}

TEST_CASE("A destroyed channel is not revived by later events that mention it",
          "[ari-sim][state]") {
  // On the app stream StasisEnd can follow ChannelDestroyed.
  const std::string snapshot =
      R"({"id":"1.1","name":"Local/1@x;1","state":"Up","caller":{"name":"","number":""},)"
      R"("dialplan":{"context":"c","exten":"1","priority":1,"app_name":"","app_data":""}})";
  ari::LiveState state;
  state.Apply(R"({"type":"ChannelCreated","channel":)" + snapshot + "}");
  CHECK(ChannelIdSet(state) == std::set<std::string>{"1.1"});
  state.Apply(R"({"type":"ChannelDestroyed","cause":16,"channel":)" + snapshot + "}");
  state.Apply(R"({"type":"StasisEnd","channel":)" + snapshot + "}");
  CHECK(state.ChannelsJson() == "[]");
  // Frames that are not JSON objects change nothing.
  state.Apply("not json");
  state.Apply("[1,2]");
  CHECK(state.ChannelsJson() == "[]");
  CHECK(state.frames_applied() == 5);
}

TEST_CASE("Channels are answered in the order first seen, with their last snapshot",
          "[ari-sim][state]") {
  const auto frames = Frames(kObserverA);
  const ari::LiveState state = StateAfter(frames, 30);
  const auto ids = state.ChannelIds();
  REQUIRE(ids.size() >= 3);
  CHECK(ids[0] == "1795684558.4");
  CHECK(ids[1] == "1795684558.5");
  // The last frame among the first 30 that carries channel .5 is its snapshot.
  std::string last_snapshot;
  for (std::size_t i = 0; i < 30; ++i) {
    const json::value event = json::parse(frames[i]);
    const auto* channel = event.as_object().if_contains("channel");
    if (channel && channel->at("id").as_string() == "1795684558.5")
      last_snapshot = json::serialize(*channel);
  }
  CHECK(state.ChannelJson("1795684558.5") == last_snapshot);
  CHECK(state.ChannelsJson() == StateAfter(frames, 30).ChannelsJson());  // stable
}

}  // namespace
}  // namespace callledger::arisim
