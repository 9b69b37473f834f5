// A PBX restart in a simulated cut run (replay/cut_replay.h): the records
// are what the daemon would append against ari-sim making the same
// restart. ari-sim's own replay cursor, restart plan and REST handler are
// driven here without sockets, and the run's gap infos, reconciles and
// frames are checked against them; its CEL windows against the lines a
// restarted Asterisk wrote.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "ari-sim/auth.h"
#include "ari-sim/replay.h"
#include "ari-sim/rest.h"
#include "ari-sim/restarts.h"
#include "ari/restart_cel.h"
#include "cut_runs.h"
#include "payload/cel.h"
#include "payload/gap.h"
#include "payload/json_text.h"
#include "payload/reconcile.h"
#include "replay/cut_replay.h"
#include "replay/restarted_cel_log.h"
#include "support/fixtures.h"

namespace callledger::replay {
namespace {

using testing::CaptureFrames;
using testing::CelFixture;
using testing::CelLog;
using testing::EventTimeOf;
using testing::KindsInOrder;
using testing::OfKind;

std::string Info() {
  return testing::ReadFile(CelFixture("a-inbound-answered.api-asterisk-info.json"));
}

Cut Restart(std::uint64_t after_frame) {
  return Cut{.after_frame = after_frame, .kind = CutKind::kRestart};
}

CutRun Simulate(const std::string& stream, std::vector<Cut> cuts, bool with_cel) {
  CutRunOptions options;
  options.cuts = std::move(cuts);
  options.asterisk_info = Info();
  if (with_cel) options.cel_file = CelLog(stream.substr(0, stream.find('.')));
  auto run = SimulateCutRun(CaptureFrames(CelFixture(stream)), options);
  INFO(run.status().ToString());
  REQUIRE(run.ok());
  return std::move(*run);
}

// What ari-sim does with the same cuts: the frames it sends, and at the
// start and after every close its /ari/asterisk/info, /ari/channels and
// /ari/bridges.
struct AriSim {
  std::vector<std::string> sent;
  std::vector<std::string> infos, channels, bridges;
};

AriSim Play(const std::string& stream, const std::vector<Cut>& cuts) {
  std::vector<arisim::DropPoint> drops;
  arisim::RestartArgs restarts;
  for (const Cut& cut : cuts) {
    if (cut.kind == CutKind::kRestart) {
      restarts.after_frames.push_back(cut.after_frame);
    } else {
      drops.push_back({cut.after_frame, cut.gap});
    }
  }
  auto frames = arisim::FramesFromLines(CaptureFrames(CelFixture(stream)));
  const std::string info = Info();
  auto planned = arisim::PlanSimRestarts(frames, restarts, drops, info);
  REQUIRE(planned.ok());
  arisim::PacingOptions fast;
  fast.mode = arisim::PacingMode::kFast;
  arisim::Replay sim(std::move(frames), fast, std::move(drops), std::move(*planned));
  const arisim::Credentials credentials;
  const std::string auth =
      "Basic " + arisim::EncodeBase64(credentials.user + ":" + credentials.password);
  AriSim out;
  const auto ask = [&] {
    const std::string& now = sim.restarted_info() ? *sim.restarted_info() : info;
    const arisim::RestContext context{credentials, now, sim.state()};
    for (auto [path, into] :
         {std::pair{"/ari/asterisk/info", &out.infos}, std::pair{"/ari/channels", &out.channels},
          std::pair{"/ari/bridges", &out.bridges}}) {
      const auto answer = arisim::HandleRest({"GET", path, auth}, context);
      REQUIRE(answer.status == 200);
      into->push_back(answer.body);
    }
  };
  ask();
  while (!sim.done()) {
    if (sim.next_unsendable()) {
      sim.SkipNext();
      continue;
    }
    out.sent.push_back(sim.next_frame().bytes);
    if (sim.MarkSent().drop) ask();
  }
  return out;
}

TEST_CASE("a simulated restart records what the daemon would append against ari-sim", "[restart]") {
  struct Case {
    std::string stream;
    std::vector<Cut> cuts;
  };
  // p-burst-80 in the middle of its burst; q-observer-gap's app stream
  // restarted, then cut again while the new process's calls run.
  const std::vector<Case> cases = {
      {"p-burst-80.observer.jsonl", {Restart(3000)}},
      {"q-observer-gap.call-center.jsonl", {Restart(124), Cut{340, 20}}},
  };
  for (const Case& c : cases) {
    INFO(c.stream);
    const CutRun run = Simulate(c.stream, c.cuts, false);
    const AriSim sim = Play(c.stream, c.cuts);
    std::vector<std::string> frames;
    for (const auto& r : OfKind(run.records, RecordKind::kAriEvent)) frames.push_back(r.payload);
    CHECK(frames == sim.sent);
    CHECK(run.frames_sent + run.frames_gone + run.frames_hidden ==
          CaptureFrames(CelFixture(c.stream)).size());
    CHECK(run.frames_gone > 100);

    const auto gaps = OfKind(run.records, RecordKind::kGap);
    const auto reconciles = OfKind(run.records, RecordKind::kReconcile);
    REQUIRE(gaps.size() == sim.infos.size());
    REQUIRE(reconciles.size() == sim.channels.size());
    bool new_calls_live = false;
    for (std::size_t i = 0; i < gaps.size(); ++i) {
      INFO("connection " << i + 1);
      auto gap = payload::ParseGap(gaps[i].payload);
      REQUIRE(gap.ok());
      REQUIRE(gap->asterisk_info.has_value());
      CHECK(gap->asterisk_info->text() == payload::JsonText::Compact(sim.infos[i])->text());
      auto reconcile = payload::ParseReconcile(reconciles[i].payload);
      REQUIRE(reconcile.ok());
      CHECK(reconcile->channels.text() == sim.channels[i]);
      CHECK(reconcile->bridges.text() == sim.bridges[i]);
      new_calls_live = new_calls_live || (i == 2 && sim.channels[i] != "[]");
    }
    // After the restart: the new process's info, and nothing live yet.
    CHECK(sim.infos[1] != sim.infos[0]);
    CHECK(sim.channels[1] == "[]");
    if (gaps.size() > 2) {
      CHECK(sim.infos[2] == sim.infos[1]);  // the same process, still
      CHECK(new_calls_live);
    }
  }
}

TEST_CASE("a restart's gap runs from frame N to the new process, no earlier than its start",
          "[restart]") {
  const std::string stream = "p-burst-80.observer.jsonl";
  const auto frames = CaptureFrames(CelFixture(stream));
  const auto clock = testing::LatestTimestamps(frames);
  for (const std::int64_t down_ms : {1000, 0, 4000}) {
    INFO("down " << down_ms << " ms");
    Cut cut = Restart(3000);
    cut.down = std::chrono::milliseconds(down_ms);
    const CutRun run = Simulate(stream, {cut}, false);
    auto gap = payload::ParseGap(OfKind(run.records, RecordKind::kGap)[1].payload);
    REQUIRE(gap.ok());
    const std::int64_t started = clock[2999] + down_ms * 1000;
    CHECK(gap->since_us == clock[2999]);
    CHECK(gap->until_us >= started);
    // The reconnection: lead_in before the first frame the new process
    // sends (received at its time on the stream's clock), never before it
    // started.
    const auto sent = OfKind(run.records, RecordKind::kAriEvent);
    const std::int64_t first_new = sent[3000].received_at_us;
    CHECK(first_new > started);
    CHECK(gap->until_us == std::max(started, first_new - testing::kLeadInUs));
  }
}

TEST_CASE("after a restart the CEL windows hold the lines the restarted Asterisk wrote",
          "[restart][cel]") {
  const std::string stream = "q-observer-gap.call-center.jsonl";
  const std::vector<Cut> cuts = {Restart(124), Cut{340, 20}};
  const CutRun run = Simulate(stream, cuts, true);
  // The lines of the log a restarted Asterisk wrote, and their times.
  const auto frames = CaptureFrames(CelFixture(stream));
  auto plan = ari::RestartPlan::Make({frames.begin(), frames.end()}, {{124}});
  REQUIRE(plan.ok());
  const auto log = testing::ReadLines(CelLog("q-observer-gap"));
  const std::vector<bool> kept = ari::KeptCelLines(*plan, {log.begin(), log.end()});
  std::size_t left_out = 0;
  for (const bool k : kept) left_out += k ? 0 : 1;
  REQUIRE(left_out > 100);

  const auto gaps = OfKind(run.records, RecordKind::kGap);
  std::vector<std::vector<std::string>> windows;  // lines per window, in order
  std::string file;
  for (const auto& record : OfKind(run.records, RecordKind::kCel)) {
    auto cel = payload::ParseCel(record.payload);
    REQUIRE(cel.ok());
    if (cel->part == 1) windows.emplace_back();
    for (const auto& line : cel->lines) windows.back().push_back(line.text());
    file = cel->file;
  }
  // The records name the log, not the copy the run read.
  CHECK(file == CelLog("q-observer-gap").string());
  REQUIRE(windows.size() == gaps.size());
  for (std::size_t w = 1; w < windows.size(); ++w) {
    INFO("window " << w + 1);
    auto gap = payload::ParseGap(gaps[w].payload);
    REQUIRE(gap.ok());
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < log.size(); ++i) {
      const std::int64_t t = EventTimeOf(log[i]);
      if (kept[i] && t >= gap->since_us - 5'000'000 && t <= gap->until_us) {
        expected.push_back(log[i]);
      }
    }
    CHECK(windows[w] == expected);
    CHECK(expected.size() > 10);
  }
}

TEST_CASE("a restart needs the Asterisk info, no gap and a frame that is sent", "[restart]") {
  const auto frames = CaptureFrames(CelFixture("q-observer-gap.call-center.jsonl"));
  const auto refused = [&](std::vector<Cut> cuts, bool info) {
    CutRunOptions options;
    options.cuts = std::move(cuts);
    if (info) options.asterisk_info = Info();
    auto run = SimulateCutRun(frames, options);
    REQUIRE_FALSE(run.ok());
    CHECK(run.status().code() == Code::kInvalidInput);
    return run.status().message();
  };
  CHECK(refused({Restart(124)}, false).starts_with("a restart needs the Asterisk info"));
  Cut with_gap = Restart(124);
  with_gap.gap = 3;
  CHECK(refused({with_gap}, true) ==
        "--restart-at 124: a restart has no gap (its frames are the restart plan's)");
  // Frame 130 lies in the restart's down time.
  CHECK(refused({Restart(124), Cut{130, 0}}, true)
            .starts_with("--drop-at 130 --gap 0: frame 130 is never sent after a restart"));
  CHECK(refused({Restart(124), Restart(130)}, true)
            .starts_with("--restart-at 130: frame 130 is never sent"));
  CHECK(refused({Restart(124), Cut{124, 0}}, true).find("must come after the previous cut") !=
        std::string::npos);
}

TEST_CASE("the restarted CEL log is a copy without the left-out lines, removed after use",
          "[restart][cel]") {
  const auto frames = CaptureFrames(CelFixture("q-observer-gap.call-center.jsonl"));
  auto plan = ari::RestartPlan::Make({frames.begin(), frames.end()}, {{124}});
  REQUIRE(plan.ok());
  const auto log = testing::ReadLines(CelLog("q-observer-gap"));
  const std::vector<bool> kept = ari::KeptCelLines(*plan, {log.begin(), log.end()});
  std::string expected;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (kept[i]) expected += log[i] + "\n";
  }
  std::filesystem::path path;
  {
    auto copy = RestartedCelLog::Write(CelLog("q-observer-gap"), *plan);
    REQUIRE(copy.ok());
    path = copy->path();
    CHECK(testing::ReadFile(path) == expected);
    CHECK(copy->lines_left_out() == log.size() - std::count(kept.begin(), kept.end(), true));
    RestartedCelLog moved = std::move(*copy);
    CHECK(std::filesystem::exists(path));
  }
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE(RestartedCelLog::Write("/nonexistent/cel.jsonl", *plan).ok());
}

}  // namespace
}  // namespace callledger::replay
