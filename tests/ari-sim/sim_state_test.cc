// ari-sim without sockets: the live state behind /ari/channels and
// /ari/bridges, the replay cursor with its drop points, pacing, credentials
// and the REST answers, checked against the real captures and against what
// the real Asterisk answered (fixtures/asterisk/api/*.json).
#include "ari-sim/sim_state.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ari-sim/auth.h"
#include "ari-sim/listen_address.h"
#include "ari-sim/replay.h"
#include "ari-sim/rest.h"
#include "ari/timestamp.h"
#include "support/fixtures.h"

namespace callledger::arisim {
namespace {

namespace json = boost::json;
using callledger::testing::CaptureDir;
using callledger::testing::ReadFile;
using callledger::testing::ReadLines;
using std::chrono::microseconds;
using std::chrono::milliseconds;

std::vector<std::string> Frames(const std::string& capture) {
  std::vector<std::string> out;
  for (auto& line : ReadLines(CaptureDir() / capture)) {
    if (!line.empty()) out.push_back(std::move(line));
  }
  return out;
}

LiveState StateAfter(const std::vector<std::string>& frames, std::size_t count) {
  LiveState state;
  for (std::size_t i = 0; i < count; ++i) state.Apply(frames[i]);
  return state;
}

std::set<std::string> ChannelIdSet(const LiveState& state) {
  const auto ids = state.ChannelIds();
  return {ids.begin(), ids.end()};
}

constexpr const char* kObserverA = "a-inbound-answered.observer.jsonl";
constexpr const char* kObserverK1 = "k1-transfer-hold-dtmf.observer.jsonl";

TEST_CASE("After the whole k1 capture no channel or bridge is live", "[ari-sim][state]") {
  const auto frames = Frames(kObserverK1);
  REQUIRE(frames.size() == 149);
  LiveState state;
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
  LiveState state;
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
  LiveState state;
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
  const LiveState state = StateAfter(frames, 30);
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

TEST_CASE("A drop point skips the gap's frames, which still update the live state",
          "[ari-sim][replay]") {
  auto loaded = LoadFrames({(CaptureDir() / kObserverA).string()});
  REQUIRE(loaded.ok());
  const auto frames = Frames(kObserverA);
  REQUIRE(loaded->size() == frames.size());
  PacingOptions fast;
  fast.mode = PacingMode::kFast;
  Replay replay(std::move(*loaded), fast, {DropPoint{10, 5}});

  for (std::uint64_t n = 1; n <= 9; ++n) {
    REQUIRE(replay.next_number() == n);
    CHECK(replay.next_frame().bytes == frames[n - 1]);
    const Replay::Sent sent = replay.MarkSent();
    CHECK(sent.number == n);
    CHECK_FALSE(sent.drop);
  }
  CHECK(replay.state().ChannelsJson() == StateAfter(frames, 9).ChannelsJson());
  const Replay::Sent sent = replay.MarkSent();
  CHECK(sent.number == 10);
  CHECK(sent.drop);
  CHECK(sent.first_skipped == 11);
  CHECK(sent.last_skipped == 15);
  CHECK(replay.next_number() == 16);
  CHECK(replay.frames_sent() == 10);
  CHECK(replay.frames_skipped() == 5);
  // The state went on through frame 15, which differs from frame 10's.
  CHECK(replay.state().ChannelsJson() == StateAfter(frames, 15).ChannelsJson());
  CHECK(replay.state().ChannelsJson() != StateAfter(frames, 10).ChannelsJson());

  // ApplyNext (before a send) applies once, however often it is called.
  replay.ApplyNext();
  replay.ApplyNext();
  CHECK(replay.state().frames_applied() == 16);
  while (!replay.done()) CHECK_FALSE(replay.MarkSent().drop);
  CHECK(replay.frames_sent() == frames.size() - 5);
  CHECK(replay.state().ChannelsJson() == "[]");
}

TEST_CASE("Drop points must be ordered and a gap may run past the end", "[ari-sim][replay]") {
  CHECK(ValidateDrops({{10, 5}, {16, 0}, {17, 3}}).ok());
  CHECK_FALSE(ValidateDrops({{10, 5}, {15, 1}}).ok());  // inside the previous gap
  CHECK_FALSE(ValidateDrops({{10, 0}, {9, 1}}).ok());
  CHECK_FALSE(ValidateDrops({{0, 1}}).ok());

  PacingOptions fast;
  fast.mode = PacingMode::kFast;
  Replay replay(FramesFromLines({"a", "b", "c", "d"}), fast, {{1, 0}, {3, 10}});
  CHECK(replay.MarkSent().drop);  // frame 1, gap 0
  CHECK(replay.next_number() == 2);
  CHECK_FALSE(replay.MarkSent().drop);
  const auto sent = replay.MarkSent();  // frame 3, gap past the end
  CHECK(sent.drop);
  CHECK(sent.first_skipped == 4);
  CHECK(sent.last_skipped == 4);
  CHECK(replay.done());
  CHECK(replay.frames_skipped() == 1);
}

std::string Stamped(const std::string& stamp) {
  return R"({"type":"Test","timestamp":")" + stamp + R"("})";
}

TEST_CASE("Pacing follows the timestamps, scaled, and backward steps count as 0",
          "[ari-sim][pacing]") {
  const auto frames = FramesFromLines({
      Stamped("2026-11-26T14:15:58.000+0500"), Stamped("2026-11-26T14:15:58.100+0500"),
      Stamped("2026-11-26T14:15:58.050+0500"),  // 50 ms earlier than the one before
      R"({"type":"NoTimestamp"})",
      Stamped("2026-11-26T09:15:58.250Z"),  // the same clock written in UTC
  });
  PacingOptions recorded;
  CHECK(ComputeDelays(frames, recorded) ==
        std::vector<microseconds>{milliseconds(0), milliseconds(100), milliseconds(0),
                                  milliseconds(0), milliseconds(200)});
  PacingOptions ten_times = recorded;
  ten_times.speed = 10;
  CHECK(ComputeDelays(frames, ten_times) ==
        std::vector<microseconds>{milliseconds(0), milliseconds(10), milliseconds(0),
                                  milliseconds(0), milliseconds(20)});
  PacingOptions fast;
  fast.mode = PacingMode::kFast;
  CHECK(ComputeDelays(frames, fast) == std::vector<microseconds>(5, microseconds(0)));

  Replay replay(frames, ten_times, {});
  CHECK(replay.next_offset() == microseconds(0));
  (void)replay.MarkSent();
  CHECK(replay.next_offset() == milliseconds(10));
  (void)replay.MarkSent();
  (void)replay.MarkSent();
  (void)replay.MarkSent();
  CHECK(replay.next_offset() == milliseconds(30));

  CHECK(ValidatePacing(recorded).ok());
  PacingOptions zero = recorded;
  zero.speed = 0;
  CHECK_FALSE(ValidatePacing(zero).ok());
}

TEST_CASE("The pause between two files is capped", "[ari-sim][pacing]") {
  auto frames = FramesFromLines(
      {Stamped("2026-11-26T14:15:58.000+0500"), Stamped("2026-11-26T14:15:58.300+0500")}, 0);
  for (auto& frame : FramesFromLines(
           {Stamped("2026-11-26T14:25:58.000+0500"), Stamped("2026-11-26T14:25:58.400+0500")}, 1)) {
    frames.push_back(std::move(frame));
  }
  PacingOptions recorded;
  CHECK(ComputeDelays(frames, recorded) ==
        std::vector<microseconds>{milliseconds(0), milliseconds(300), milliseconds(1000),
                                  milliseconds(400)});
  PacingOptions doubled = recorded;
  doubled.speed = 2;
  CHECK(ComputeDelays(frames, doubled)[2] == milliseconds(500));
}

TEST_CASE("Pacing over a real capture with non-monotonic stamps", "[ari-sim][pacing]") {
  // k6's call-center stream has a ChannelDestroyed stamped 1 ms before the
  // frame ahead of it.
  auto loaded = LoadFrames(
      {(CaptureDir() / "k6-caller-hangs-up-during-transfer.call-center.jsonl").string()});
  REQUIRE(loaded.ok());
  const auto delays = ComputeDelays(*loaded, PacingOptions{});
  std::int64_t backwards = 0;
  microseconds total(0);
  for (std::size_t i = 1; i < loaded->size(); ++i) {
    const auto& frame = (*loaded)[i];
    REQUIRE(frame.time_us.has_value());
    const std::int64_t step = *frame.time_us - *(*loaded)[i - 1].time_us;
    if (step < 0) {
      ++backwards;
      CHECK(delays[i] == microseconds(0));
    } else {
      CHECK(delays[i] == microseconds(step));
    }
    total += delays[i];
  }
  CHECK(backwards >= 1);
  // The total is the recorded span plus what the backward steps gave back.
  const std::int64_t span = *loaded->back().time_us - *loaded->front().time_us;
  CHECK(total.count() >= span);
  CHECK(total.count() <= span + 7000 * backwards);
}

TEST_CASE("A constant --rate ignores the timestamps and counts skipped frames",
          "[ari-sim][pacing][rate]") {
  // 1000 frames whose stamps jump back and forth by seconds, some missing.
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) {
    if (i % 7 == 3) {
      lines.push_back(R"({"type":"NoTimestamp"})");
    } else {
      const int second = (i % 2 == 0) ? 10 + i % 40 : 50 - i % 40;
      lines.push_back(Stamped("2026-11-26T14:15:" + std::to_string(second) + ".000+0500"));
    }
  }
  const auto frames = FramesFromLines(lines);
  REQUIRE(frames.size() == 1000);

  PacingOptions rate;
  rate.mode = PacingMode::kRate;
  rate.rate = 500;
  REQUIRE(ValidatePacing(rate).ok());
  const auto offsets = ComputeOffsets(frames, rate);
  REQUIRE(offsets.size() == 1000);
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    INFO("frame " << i + 1);
    CHECK(offsets[i] == microseconds(2000 * static_cast<std::int64_t>(i)));
  }
  CHECK(offsets.back() == microseconds(1'998'000));  // 999 / 500 s
  const auto delays = ComputeDelays(frames, rate);
  CHECK(delays.front() == microseconds(0));
  CHECK(std::all_of(delays.begin() + 1, delays.end(),
                    [](microseconds d) { return d == milliseconds(2); }));

  // A rate that does not divide a second: each offset rounds on its own,
  // so the error does not add up.
  PacingOptions seven = rate;
  seven.rate = 7;
  const auto sevenths = ComputeOffsets(frames, seven);
  CHECK(sevenths[7] == microseconds(1'000'000));
  CHECK(sevenths[999] == microseconds(142'714'286));  // 999 / 7 s
  microseconds sum(0);
  for (const auto d : ComputeDelays(frames, seven)) sum += d;
  CHECK(sum == sevenths[999]);

  // Frames skipped by a drop keep their slots: frame 16 is due at 15 / 500 s.
  Replay replay(frames, rate, {DropPoint{10, 5}});
  for (int i = 0; i < 9; ++i) (void)replay.MarkSent();
  CHECK(replay.next_offset() == milliseconds(18));
  const Replay::Sent sent = replay.MarkSent();
  CHECK(sent.drop);
  CHECK(replay.next_number() == 16);
  CHECK(replay.next_offset() == milliseconds(30));

  for (const double bad : {0.0, -5.0, std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()}) {
    PacingOptions invalid = rate;
    invalid.rate = bad;
    CHECK_FALSE(ValidatePacing(invalid).ok());
  }
  // The rate is checked only in kRate, and speed is not checked in kRate.
  PacingOptions recorded;
  recorded.rate = 0;
  CHECK(ValidatePacing(recorded).ok());
  PacingOptions rate_ignores_speed = rate;
  rate_ignores_speed.speed = 0;
  CHECK(ValidatePacing(rate_ignores_speed).ok());
}

TEST_CASE("LoadFrames keeps every line byte for byte and refuses missing files",
          "[ari-sim][replay]") {
  const auto path = CaptureDir() / "h-inbound-utf8-callername.observer.jsonl";
  auto loaded = LoadFrames({path.string(), (CaptureDir() / kObserverA).string()});
  REQUIRE(loaded.ok());
  const auto h = Frames("h-inbound-utf8-callername.observer.jsonl");
  const auto a = Frames(kObserverA);
  REQUIRE(loaded->size() == h.size() + a.size());
  CHECK((*loaded)[0].bytes == h[0]);
  CHECK((*loaded)[h.size() - 1].bytes == h.back());
  CHECK((*loaded)[h.size()].bytes == a[0]);
  CHECK((*loaded)[h.size()].file_index == 1);
  CHECK((*loaded)[0].time_us.has_value());

  auto missing = LoadFrames({"/nonexistent/capture.jsonl"});
  CHECK_FALSE(missing.ok());
}

TEST_CASE("Credentials: Basic or api_key, like Asterisk", "[ari-sim][auth]") {
  const Credentials lab;  // backend / CallCenter2025
  const std::string good = "Basic " + EncodeBase64("backend:CallCenter2025");
  CHECK(good == "Basic YmFja2VuZDpDYWxsQ2VudGVyMjAyNQ==");
  CHECK(IsAuthorized(lab, good, "/ari/channels"));
  CHECK(IsAuthorized(lab, "basic YmFja2VuZDpDYWxsQ2VudGVyMjAyNQ==", "/ari/channels"));
  CHECK_FALSE(IsAuthorized(lab, "Basic " + EncodeBase64("backend:wrong"), "/ari/channels"));
  CHECK_FALSE(IsAuthorized(lab, "Basic " + EncodeBase64("other:CallCenter2025"), "/x"));
  CHECK_FALSE(IsAuthorized(lab, "Basic not-base64!", "/ari/channels"));
  CHECK_FALSE(IsAuthorized(lab, "Bearer abc", "/ari/channels"));
  CHECK_FALSE(IsAuthorized(lab, "", "/ari/channels"));

  CHECK(IsAuthorized(lab, "", "/ari/events?api_key=backend:CallCenter2025&app=call-ledger"));
  CHECK(IsAuthorized(lab, "", "/ari/events?app=x&api_key=backend%3ACallCenter2025"));
  CHECK_FALSE(IsAuthorized(lab, "", "/ari/events?app=x&api_key=backend:wrong"));
  CHECK_FALSE(IsAuthorized(lab, "", "/ari/events?app=x&api_key=backend"));
  // The header, when present, decides alone.
  CHECK_FALSE(IsAuthorized(lab, "Basic " + EncodeBase64("backend:wrong"),
                           "/ari/channels?api_key=backend:CallCenter2025"));

  const Credentials custom{"alice", "p:ss word"};
  CHECK(IsAuthorized(custom, "", "/ari/channels?api_key=alice:p%3Ass+word"));
  CHECK(IsAuthorized(custom, "Basic " + EncodeBase64("alice:p:ss word"), "/ari/channels"));
  CHECK_FALSE(IsAuthorized(custom, good, "/ari/channels"));

  for (const std::string& text :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\xff\x00\x10", 3)}) {
    CHECK(DecodeBase64(EncodeBase64(text)) == text);
  }
  CHECK(DecodeBase64("YWI") == "ab");  // unpadded
  CHECK_FALSE(DecodeBase64("abcde").has_value());
  CHECK_FALSE(DecodeBase64("YWI=YWI=").has_value());
  CHECK_FALSE(DecodeBase64("ab=c").has_value());
}

TEST_CASE("REST answers without sockets", "[ari-sim][rest]") {
  const Credentials lab;
  const std::string info = R"({"system":{"version":"22.10.1"}})";
  const auto frames = Frames(kObserverA);
  const LiveState state = StateAfter(frames, 40);
  const RestContext context{lab, info, state};
  const std::string auth = "Basic " + EncodeBase64("backend:CallCenter2025");

  auto answer = HandleRest({"GET", "/ari/channels", ""}, context);
  CHECK(answer.status == 401);
  CHECK(answer.ask_for_credentials);
  CHECK(
      HandleRest({"GET", "/ari/channels", "Basic " + EncodeBase64("backend:x")}, context).status ==
      401);

  answer = HandleRest({"GET", "/ari/channels", auth}, context);
  CHECK(answer.status == 200);
  CHECK(answer.body == state.ChannelsJson());
  CHECK(HandleRest({"GET", "/ari/bridges?api_key=backend:CallCenter2025", ""}, context).body ==
        state.BridgesJson());
  CHECK(HandleRest({"GET", "/ari/asterisk/info", auth}, context).body == info);
  answer = HandleRest({"GET", "/ari/channels/1795684558.5", auth}, context);
  CHECK(answer.status == 200);
  CHECK(answer.body == *state.ChannelJson("1795684558.5"));
  answer = HandleRest({"GET", "/ari/channels/9.9", auth}, context);
  CHECK(answer.status == 404);
  CHECK(answer.body == R"({"message":"Channel not found"})");

  answer = HandleRest({"GET", "/nowhere", ""}, context);
  CHECK(answer.status == 404);
  CHECK(answer.body == R"({"message":"Not found"})");
  CHECK(HandleRest({"GET", "/ari/nowhere", auth}, context).status == 404);
  CHECK(HandleRest({"DELETE", "/ari/channels/1795684558.5", auth}, context).status == 405);
  CHECK(HandleRest({"GET", "/ari/events?app=x", auth}, context).status == 400);

  auto upgrade =
      CheckEventsUpgrade({"GET", "/ari/events?app=call-ledger&subscribeAll=true", ""}, lab);
  CHECK_FALSE(upgrade.accept);
  CHECK(upgrade.refusal.status == 401);
  upgrade = CheckEventsUpgrade(
      {"GET", "/ari/events?app=call%2Dledger&subscribeAll=true&api_key=backend:CallCenter2025", ""},
      lab);
  CHECK(upgrade.accept);
  CHECK(upgrade.app == "call-ledger");
  CHECK(CheckEventsUpgrade({"GET", "/ari/events", auth}, lab).refusal.status == 400);
  CHECK(CheckEventsUpgrade({"GET", "/ari/other?app=x", auth}, lab).refusal.status == 404);
}

TEST_CASE("The listen address must be loopback", "[ari-sim][listen]") {
  auto parsed = ParseListenAddress("127.0.0.1:0");
  REQUIRE(parsed.ok());
  CHECK(parsed->host == "127.0.0.1");
  CHECK(parsed->port == 0);
  CHECK(ParseListenAddress("127.4.5.6:8088").ok());
  parsed = ParseListenAddress("localhost:8088");
  REQUIRE(parsed.ok());
  CHECK(parsed->host == "127.0.0.1");
  parsed = ParseListenAddress("[::1]:9000");
  REQUIRE(parsed.ok());
  CHECK(parsed->ipv6);
  CHECK(FormatHostPort(parsed->host, parsed->ipv6, parsed->port) == "[::1]:9000");

  for (const char* refused : {"0.0.0.0:0", "192.168.1.10:8088", "10.0.0.1:1", "[::]:0"}) {
    auto result = ParseListenAddress(refused);
    CHECK_FALSE(result.ok());
    CHECK(result.status().message().find("loopback only") != std::string::npos);
  }
  for (const char* bad :
       {"127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:x", "example.com:80", "::1:80"}) {
    CHECK_FALSE(ParseListenAddress(bad).ok());
  }
}

}  // namespace
}  // namespace callledger::arisim
