// ari-sim's restarts without sockets (restarts.h, replay.h): the arguments
// checked with the drop points, the replay cursor across a restart (the
// state emptied, the gone frames neither sent nor applied, the new info),
// the clock skipping a gone frame in its time, and the CEL lines left out.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "ari-sim/restarts.h"
#include "ari-sim/stream_clock.h"
#include "ari/live_state.h"
#include "ari/restart_cel.h"
#include "ari/restart_plan.h"
#include "support/fixtures.h"

namespace callledger::arisim {
namespace {

using std::chrono::milliseconds;

std::string CelFixture(const std::string& name) {
  return (callledger::testing::SourceDir() / "fixtures" / "asterisk-cel" / name).string();
}

const std::string kCapture = CelFixture("q-observer-gap.call-center.jsonl");
const std::string kInfo =
    callledger::testing::ReadFile(CelFixture("a-inbound-answered.api-asterisk-info.json"));

std::vector<StreamFrame> Stream() {
  auto frames = LoadFrames({kCapture});
  REQUIRE(frames.ok());
  return std::move(*frames);
}

SimRestarts Planned(const std::vector<StreamFrame>& frames, RestartArgs args,
                    const std::vector<DropPoint>& drops = {}) {
  auto planned = PlanSimRestarts(frames, args, drops, kInfo);
  INFO(planned.status().ToString());
  REQUIRE(planned.ok());
  return std::move(*planned);
}

TEST_CASE("Restart arguments are checked with the drop points", "[ari-sim][restart]") {
  const auto frames = Stream();
  const auto refused = [&](RestartArgs args, std::vector<DropPoint> drops, std::string info) {
    auto planned = PlanSimRestarts(frames, args, drops, info);
    REQUIRE_FALSE(planned.ok());
    CHECK(planned.status().code() == Code::kInvalidInput);
    return planned.status().message();
  };
  CHECK(refused({{124}, {}}, {{124, 0}}, kInfo) ==
        "--restart-at 124 and --drop-at 124 are on the same frame: a restart closes the "
        "connection itself, it is a cut of its own");
  CHECK(refused({{124}, {}}, {{100, 30}}, kInfo) ==
        "--restart-at 124 must come after --drop-at 100 and its gap (frame 130): a restart is a "
        "cut of its own");
  // Frame 130 falls in the restart's down time.
  CHECK(refused({{124}, {}}, {{130, 0}}, kInfo)
            .starts_with("--drop-at 130: frame 130 is never sent"));
  CHECK(refused({{124, 200}, {5, 6, 7}}, {}, kInfo).starts_with("give one --restart-down-ms"));
  CHECK(refused({{124}, {-1}}, {}, kInfo) == "--restart-down-ms cannot be negative");
  CHECK(refused({{}, {500}}, {}, kInfo) == "--restart-down-ms needs --restart-at");
  CHECK(refused({{124}, {}}, {}, R"({"system":{}})").find("no status.startup_time") !=
        std::string::npos);
  CHECK(refused({{9999}, {}}, {}, kInfo) == "--restart-at 9999: the capture has only 539 frames");
  // One down time for all, or one each.
  const SimRestarts two = Planned(frames, {{100, 300}, {200, 500}});
  REQUIRE(two.plan.restarts().size() == 2);
  CHECK(two.plan.restarts()[0].restart.down == milliseconds(200));
  CHECK(two.plan.restarts()[1].restart.down == milliseconds(500));
  CHECK(Planned(frames, {{100, 300}, {0}}).plan.restarts()[1].restart.down == milliseconds(0));
  CHECK(Planned(frames, {}).plan.empty());
}

TEST_CASE("A restart closes the connection, empties the state and takes the gone frames away",
          "[ari-sim][restart]") {
  auto frames = Stream();
  const std::vector<StreamFrame> copy = frames;
  SimRestarts restarts = Planned(frames, {{124}, {}});
  const ari::RestartPlan plan = restarts.plan;
  REQUIRE(restarts.asterisk_infos.size() == 1);
  const std::string new_info = restarts.asterisk_infos[0];
  PacingOptions fast;
  fast.mode = PacingMode::kFast;
  Replay replay(std::move(frames), fast, {}, std::move(restarts));

  for (std::uint64_t n = 1; n < 124; ++n) {
    CHECK_FALSE(replay.next_unsendable());
    const Replay::Sent sent = replay.MarkSent();
    CHECK_FALSE(sent.drop);
  }
  CHECK(replay.restarted_info() == nullptr);
  CHECK(replay.state().ChannelIds().size() >= 5);
  const Replay::Sent sent = replay.MarkSent();
  CHECK(sent.number == 124);
  CHECK(sent.drop);
  REQUIRE(sent.restart != nullptr);
  CHECK(sent.restart->restart.after_frame == 124);
  CHECK(replay.state().ChannelsJson() == "[]");
  CHECK(replay.state().BridgesJson() == "[]");
  REQUIRE(replay.restarted_info() != nullptr);
  CHECK(*replay.restarted_info() == new_info);

  // The rest: gone frames are skipped and change nothing; the others are
  // what a fresh Asterisk's state is made of.
  ari::LiveState fresh;
  std::uint64_t gone = 0;
  while (!replay.done()) {
    const std::uint64_t n = replay.next_number();
    INFO("frame " << n);
    CHECK(replay.next_unsendable() == plan.Gone(n));
    if (replay.next_unsendable()) {
      replay.SkipNext();
      ++gone;
    } else {
      fresh.Apply(copy[n - 1].bytes);
      CHECK_FALSE(replay.MarkSent().drop);
    }
    CHECK(replay.state().ChannelsJson() == fresh.ChannelsJson());
  }
  CHECK(gone == plan.gone_count());
  CHECK(gone > 50);
  CHECK(replay.frames_skipped() == gone);
}

TEST_CASE("By default a gone frame waits for a client and its time, then is skipped",
          "[ari-sim][clock][restart]") {
  const SteadyTime t0 = SteadyTime{} + std::chrono::hours(1);
  StreamClock clock(ClockMode::kWaitsForClient, milliseconds(50));
  clock.OnSubscribe(t0);
  const auto cues = [](bool subscribed) {
    StreamCues c;
    c.subscribed = subscribed;
    c.frame = FrameCue{5, milliseconds(100), true};
    c.reached = milliseconds(50);
    return c;
  };
  // Without a client the stream stands still, gone frame or not.
  CHECK(clock.Next(t0 + milliseconds(200), cues(false)).kind == StreamStep::Kind::kWait);
  clock.OnSubscribe(t0 + milliseconds(300));
  // Then, like a frame to send, it is due the lead-in after the
  // subscription, and skipped then, not before.
  const StreamStep early = clock.Next(t0 + milliseconds(300), cues(true));
  CHECK(early.kind == StreamStep::Kind::kWait);
  CHECK(early.until == t0 + milliseconds(350));
  CHECK(clock.Next(t0 + milliseconds(350), cues(true)).kind == StreamStep::Kind::kSkip);
}

TEST_CASE("The CEL lines a restarted Asterisk never wrote are left out",
          "[ari-sim][restart][cel]") {
  const auto frames = Stream();
  const SimRestarts restarts = Planned(frames, {{124}, {}});
  auto load = LoadCelLines({CelFixture("q-observer-gap.cel.jsonl")});
  REQUIRE(load.ok());
  const std::size_t all = load->lines.size();
  std::vector<std::string_view> bytes;
  for (const auto& line : load->lines) bytes.push_back(line.bytes);
  const std::vector<bool> kept = ari::KeptCelLines(restarts.plan, bytes);
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < all; ++i) {
    if (kept[i]) expected.push_back(load->lines[i].bytes);
  }
  CHECK(DropRestartedCelLines(restarts.plan, load->lines) == all - expected.size());
  CHECK(all - expected.size() > 100);
  std::vector<std::string> left;
  for (const auto& line : load->lines) left.push_back(line.bytes);
  CHECK(left == expected);
  CHECK(DropRestartedCelLines(ari::RestartPlan(), load->lines) == 0);
}

}  // namespace
}  // namespace callledger::arisim
