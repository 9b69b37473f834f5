// A daemon's run over a capture with cuts, simulated in memory
// (replay/cut_replay.h): the daemon's records in the daemon's order, the
// capture's frames byte for byte but for the gaps, times from the capture's
// clock, several cuts, a gap that runs to the end, bad cuts refused, the
// same records every time.
#include "replay/cut_replay.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "cut_runs.h"
#include "payload/cel.h"
#include "payload/gap.h"
#include "payload/json_text.h"
#include "payload/note.h"
#include "payload/reconcile.h"
#include "support/fixtures.h"

namespace callledger::replay {
namespace {

using testing::CaptureFrames;
using testing::CelFixture;
using testing::KindsInOrder;
using testing::kLeadInUs;
using testing::LatestTimestamps;
using testing::OfKind;
using testing::RunCuts;

// The frames the run appended, as bytes.
std::vector<std::string> FramesOf(const CutRun& run) {
  std::vector<std::string> out;
  for (const auto& r : run.records) {
    if (r.kind == RecordKind::kAriEvent || r.kind == RecordKind::kMalformed) {
      out.push_back(r.payload);
    }
  }
  return out;
}

payload::GapPayload GapOf(const RecordDraft& record) {
  REQUIRE(record.kind == RecordKind::kGap);
  auto gap = payload::ParseGap(record.payload);
  REQUIRE(gap.ok());
  return *gap;
}

TEST_CASE("a cut run: the daemon's records, in its order, times from the capture's clock") {
  const std::string stream = "a-inbound-answered.observer.jsonl";
  const auto frames = CaptureFrames(CelFixture(stream));
  REQUIRE(frames.size() == 93);
  const auto clock = LatestTimestamps(frames);
  const CutRun run = RunCuts(stream, {{53, 12}}, true);

  // Its start (note, gap, reconcile, the first window's cel), frames 1..53,
  // the cut's gap, reconcile and cel, frames 66..93.
  CHECK(KindsInOrder(run.records) ==
        "note gap reconcile cel ari_event*53 gap reconcile cel ari_event*28");
  CHECK(run.frames_sent == 81);
  CHECK(run.frames_hidden == 12);
  std::vector<std::string> expected(frames.begin(), frames.begin() + 53);
  expected.insert(expected.end(), frames.begin() + 65, frames.end());
  CHECK(FramesOf(run) == expected);
  // Each frame is received at its T(i).
  const auto sent = OfKind(run.records, RecordKind::kAriEvent);
  CHECK(sent[52].received_at_us == clock[52]);
  CHECK(sent[53].received_at_us == clock[65]);

  // The start: the daemon's note, its first connection 300 ms before frame 1.
  const std::int64_t connected = clock[0] - kLeadInUs;
  const RecordDraft& note = run.records[0];
  CHECK(note.reason == "projector options at daemon start");
  CHECK(note.event_time_us == connected);
  CHECK(
      note.payload ==
      R"({"projector_options":{"call_app":"call-center","recordings_dir":"/var/spool/asterisk/recording"}})");
  const auto first = GapOf(run.records[1]);
  CHECK(first.reason == "connected to ARI after: daemon started");
  CHECK(first.since_us == 0);
  CHECK(first.until_us == connected);
  CHECK(run.records[2].event_time_us == connected);
  CHECK(run.records[2].payload == R"({"channels":[],"bridges":[]})");

  // The cut: since frame 53 was heard, until the reconnection, which is 300
  // ms before frame 66 but never before the millisecond after frame 65's
  // (here frame 66 came 0 ms after frame 65, so the reconnection is 1 ms
  // after frame 65).
  const auto gaps = OfKind(run.records, RecordKind::kGap);
  REQUIRE(gaps.size() == 2);
  const auto cut = GapOf(gaps[1]);
  CHECK(cut.reason == "connected to ARI after: closed by Asterisk");
  CHECK(cut.since_us == clock[52]);
  CHECK(cut.until_us == std::max(clock[65] - kLeadInUs, clock[64] + 1000));
  CHECK(cut.until_us == clock[64] + 1000);  // after its millisecond
  CHECK(gaps[1].event_time_us == cut.until_us);
  const auto reconciles = OfKind(run.records, RecordKind::kReconcile);
  REQUIRE(reconciles.size() == 2);
  CHECK(reconciles[1].event_time_us == cut.until_us);
  for (const auto& cel : OfKind(run.records, RecordKind::kCel)) {
    CHECK(cel.event_time_us == cel.received_at_us);
  }
  CHECK(OfKind(run.records, RecordKind::kCel).back().event_time_us == cut.until_us);
}

TEST_CASE("a cut run's reconcile shows what was live after the frames the gap hid") {
  // Frames 54..65 of capture a hide the call's Up: the reconcile lists it Up.
  const CutRun run = RunCuts("a-inbound-answered.observer.jsonl", {{53, 12}}, false);
  const auto reconciles = OfKind(run.records, RecordKind::kReconcile);
  REQUIRE(reconciles.size() == 2);
  auto snapshot = payload::ParseReconcile(reconciles[1].payload);
  REQUIRE(snapshot.ok());
  const std::string& channels = snapshot->channels.text();
  const auto call = channels.find(R"("id":"1796643888.5")");
  REQUIRE(call != std::string::npos);
  CHECK(channels.substr(call, 200).find(R"("state":"Up")") != std::string::npos);
  CHECK(snapshot->bridges.text() != "[]");
}

TEST_CASE("several cuts, and a gap that runs to the end of the capture") {
  SECTION("two cuts of capture h: each its gap, reconcile and cel, in order") {
    const auto frames = CaptureFrames(CelFixture("h-inbound-utf8-callername.observer.jsonl"));
    const auto clock = LatestTimestamps(frames);
    const CutRun run =
        RunCuts("h-inbound-utf8-callername.observer.jsonl", {{91, 18}, {216, 8}}, true);
    CHECK(KindsInOrder(run.records) ==
          "note gap reconcile cel ari_event*91 gap reconcile cel ari_event*107 gap reconcile cel "
          "ari_event*55");
    CHECK(run.frames_hidden == 26);
    const auto gaps = OfKind(run.records, RecordKind::kGap);
    REQUIRE(gaps.size() == 3);
    CHECK(GapOf(gaps[1]).since_us == clock[90]);
    CHECK(GapOf(gaps[2]).since_us == clock[215]);
    CHECK(GapOf(gaps[1]).until_us < GapOf(gaps[2]).since_us);
  }
  SECTION("a gap to the last frame: the reconnection 300 ms after it, no frame after") {
    const auto frames = CaptureFrames(CelFixture("e-outbound-noanswer.observer.jsonl"));
    const auto clock = LatestTimestamps(frames);
    const CutRun run = RunCuts("e-outbound-noanswer.observer.jsonl", {{1, 62}}, false);
    CHECK(KindsInOrder(run.records) == "note gap reconcile ari_event*1 gap reconcile");
    const auto gaps = OfKind(run.records, RecordKind::kGap);
    CHECK(GapOf(gaps[1]).until_us == clock.back() + kLeadInUs);
    // Every channel was destroyed in the gap: nothing is live.
    CHECK(run.records.back().payload == R"({"channels":[],"bridges":[]})");
  }
  SECTION("a cut of no frames (a capture's own gap): the reconnection before the next frame") {
    const auto frames = CaptureFrames(CelFixture("q-observer-gap.observer.jsonl"));
    const auto clock = LatestTimestamps(frames);
    const CutRun run = RunCuts("q-observer-gap.observer.jsonl", {{345, 0}}, false);
    CHECK(run.frames_hidden == 0);
    const auto gap = GapOf(OfKind(run.records, RecordKind::kGap)[1]);
    CHECK(gap.since_us == clock[344]);
    CHECK(gap.until_us == clock[345] - kLeadInUs);
  }
}

TEST_CASE("a kill: the daemon starts again, its first window from where it was last heard") {
  const std::string stream = "a-inbound-answered.observer.jsonl";
  const auto frames = CaptureFrames(CelFixture(stream));
  const auto clock = LatestTimestamps(frames);
  const Cut kill{.after_frame = 53, .gap = 12, .kind = CutKind::kKill};

  SECTION("killed after frame 53, down while frames 54-65 play") {
    const CutRun run = RunCuts(stream, {kill}, true);
    CHECK(KindsInOrder(run.records) ==
          "note gap reconcile cel ari_event*53 note gap reconcile cel ari_event*28");
    CHECK(run.kills == 1);
    CHECK(run.frames_hidden == 12);
    const auto gaps = OfKind(run.records, RecordKind::kGap);
    REQUIRE(gaps.size() == 2);
    const auto restart = GapOf(gaps[1]);
    CHECK(restart.reason == "connected to ARI after: daemon started");
    CHECK(restart.since_us == 0);
    CHECK(restart.until_us == std::max(clock[65] - kLeadInUs, clock[64] + 1000));
    CHECK(OfKind(run.records, RecordKind::kNote)[1].event_time_us == restart.until_us);
    // The window begins at frame 53, the last record heard, less the margin.
    const auto cel = payload::ParseCel(OfKind(run.records, RecordKind::kCel)[1].payload);
    REQUIRE(cel.ok());
    CHECK(cel->since_us == clock[52] - 5'000'000);
    CHECK(cel->until_us == restart.until_us);
  }

  SECTION("killed before the window of a drop's connection: the next window covers both") {
    Cut lost = kill;
    lost.window_lost = true;
    const CutRun run = RunCuts(stream, {{40, 5}, lost}, true);
    // The drop's cel records were taken back out: the kill came before them.
    CHECK(KindsInOrder(run.records) ==
          "note gap reconcile cel ari_event*40 gap reconcile ari_event*8 note gap reconcile cel "
          "ari_event*28");
    const auto cels = OfKind(run.records, RecordKind::kCel);
    const auto cel = payload::ParseCel(cels.back().payload);
    REQUIRE(cel.ok());
    CHECK(cel->since_us == clock[39] - 5'000'000);  // the drop's start, less the margin
    CHECK(run.cel_records == cels.size());
  }

  SECTION("a kill that loses a window is the only kind that can") {
    Cut drop{.after_frame = 53, .gap = 12};
    drop.window_lost = true;
    CutRunOptions options;
    options.cuts = {drop};
    const auto result = SimulateCutRun(frames, options);
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().message() == "--drop-at 53 --gap 12: only a kill can lose a CEL window");
  }
}

TEST_CASE("the Asterisk info and projector options given go into the gaps and the note") {
  const auto frames = CaptureFrames(CelFixture("b-inbound-abandoned.observer.jsonl"));
  CutRunOptions options;
  options.cuts = {{47, 15}};
  options.asterisk_info =
      testing::ReadFile(CelFixture("a-inbound-answered.api-asterisk-info.json"));
  options.projector_options = {{"recordings_dir", "/srv/rec"}};
  auto run = SimulateCutRun(frames, options);
  REQUIRE(run.ok());
  const auto info = payload::JsonText::Compact(options.asterisk_info);
  REQUIRE(info.ok());
  for (const auto& gap : OfKind(run->records, RecordKind::kGap)) {
    CHECK(GapOf(gap).asterisk_info == *info);
  }
  auto note = payload::ParseNote(run->records[0].payload);
  REQUIRE(note.ok());
  REQUIRE(note->projector_options.has_value());
  CHECK(note->projector_options->call_app == "call-center");
  CHECK(note->projector_options->recordings_dir == "/srv/rec");
}

TEST_CASE("bad cuts and bad inputs are refused, saying which and why") {
  const auto frames = CaptureFrames(CelFixture("b-inbound-abandoned.observer.jsonl"));
  REQUIRE(frames.size() == 62);
  const auto refused = [&](std::vector<Cut> cuts) {
    CutRunOptions options;
    options.cuts = std::move(cuts);
    auto run = SimulateCutRun(frames, options);
    REQUIRE_FALSE(run.ok());
    CHECK(run.status().code() == Code::kInvalidInput);
    return run.status().message();
  };
  CHECK(refused({{0, 3}}) == "--drop-at 0 --gap 3: --drop-at counts frames from 1");
  CHECK(refused({{63, 0}}) == "--drop-at 63 --gap 0: the capture has only 62 frames");
  CHECK(refused({{60, 3}}) ==
        "--drop-at 60 --gap 3: the gap runs past the last frame (62); at most --gap 2 after "
        "frame 60");
  CHECK(refused({{10, 5}, {15, 1}}) ==
        "--drop-at 15 --gap 1: must come after the previous cut and its gap (frame 15)");
  CHECK(refused({{10, 0}, {10, 1}}) ==
        "--drop-at 10 --gap 1: must come after the previous cut and its gap (frame 10)");
  // The edges that are fine: the last frame, a gap to the very end.
  CHECK(ValidateCuts({{62, 0}}, 62).ok());
  CHECK(ValidateCuts({{10, 5}, {16, 46}}, 62).ok());

  CutRunOptions options;
  options.cuts = {{10, 1}};
  options.asterisk_info = "not json";
  CHECK(SimulateCutRun(frames, options).status().code() == Code::kInvalidInput);
  options.asterisk_info.clear();
  options.cel_file = CelFixture("no-such.cel.jsonl");
  CHECK(SimulateCutRun(frames, options).status().code() == Code::kNotFound);
  options.cel_file.reset();
  options.projector_options = {{"colour", "blue"}};
  CHECK(SimulateCutRun(frames, options).status().code() == Code::kInvalidInput);

  // A file recorded through a daemon already holds its gaps.
  auto recorded =
      ReadCaptureFrames(testing::RecordedDir() / "b-abandoned-ends-in-gap.observer.jsonl");
  REQUIRE_FALSE(recorded.ok());
  CHECK(recorded.status().message().find("line 1 is a daemon record") != std::string::npos);
}

// Every field a record carries, for comparing runs.
std::string Fields(const RecordDraft& r) {
  return std::string(RecordKindName(r.kind)) + "|" + std::to_string(r.received_at_us) + "|" +
         std::to_string(r.event_time_us) + "|" + r.reason + "|" + r.event_type + "|" + r.payload;
}

TEST_CASE("a cut run is a pure function of its inputs") {
  const std::vector<Cut> cuts = {{1000, 500}, {3500, 600}, {6200, 400}};
  const CutRun first = RunCuts("p-burst-80.observer.jsonl", cuts, true);
  const CutRun second = RunCuts("p-burst-80.observer.jsonl", cuts, true);
  REQUIRE(first.records.size() == second.records.size());
  for (std::size_t i = 0; i < first.records.size(); ++i) {
    INFO("record " << i);
    CHECK(Fields(first.records[i]) == Fields(second.records[i]));
  }
  CHECK(first.frames_hidden == 1500);
  CHECK(first.cel_records >= 4);  // the start's window and one per cut at least
}

}  // namespace
}  // namespace callledger::replay
