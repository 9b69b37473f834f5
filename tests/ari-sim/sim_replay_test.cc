// ari-sim without sockets: the replay cursor with its drop points (the gap's
// frames still update the live state), pacing by the recorded timestamps or
// at a constant rate, and loading capture files byte for byte.
#include "ari-sim/replay.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ari/live_state.h"
#include "sim_frames.h"
#include "support/fixtures.h"

namespace callledger::arisim {
namespace {

using callledger::testing::CaptureDir;
using callledger::testing::Frames;
using callledger::testing::kObserverA;
using callledger::testing::SourceDir;
using callledger::testing::StateAfter;
using std::chrono::microseconds;
using std::chrono::milliseconds;

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

TEST_CASE(
    "In realtime a drop's gap stays in the stream, unsendable, and is skipped frame by "
    "frame",
    "[ari-sim][replay][realtime]") {
  const auto frames = Frames(kObserverA);
  PacingOptions realtime;
  realtime.clock = ClockMode::kRealtime;
  Replay replay(FramesFromLines(frames), realtime, {DropPoint{10, 5}});
  for (int i = 0; i < 9; ++i) CHECK_FALSE(replay.MarkSent().drop);
  const Replay::Sent sent = replay.MarkSent();
  CHECK(sent.drop);
  CHECK(sent.first_skipped == 11);
  CHECK(sent.last_skipped == 15);
  // Nothing of the gap has happened yet: it happens in its time.
  CHECK(replay.next_number() == 11);
  CHECK(replay.state().ChannelsJson() == StateAfter(frames, 10).ChannelsJson());
  for (std::uint64_t n = 11; n <= 15; ++n) {
    REQUIRE(replay.next_unsendable());
    replay.SkipNext();
    CHECK(replay.state().ChannelsJson() == StateAfter(frames, n).ChannelsJson());
    CHECK(replay.reached_offset() == replay.offsets()[n - 1]);
  }
  CHECK_FALSE(replay.next_unsendable());
  CHECK(replay.next_number() == 16);
  CHECK(replay.frames_sent() == 10);
  CHECK(replay.frames_skipped() == 5);
  // Frames due while no client listens are skipped the same way.
  replay.SkipNext();
  CHECK(replay.frames_skipped() == 6);
  CHECK(replay.state().frames_applied() == 16);

  // --fast has no clock to run on.
  PacingOptions fast_realtime = realtime;
  fast_realtime.mode = PacingMode::kFast;
  const Status refused = ValidatePacing(fast_realtime);
  CHECK_FALSE(refused.ok());
  CHECK(refused.message().find("--fast cannot be combined with --realtime") != std::string::npos);
  PacingOptions rate_realtime = realtime;
  rate_realtime.mode = PacingMode::kRate;
  CHECK(ValidatePacing(rate_realtime).ok());
  CHECK(ValidatePacing(realtime).ok());
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

TEST_CASE(
    "Pacing follows the timestamps, scaled, and a backward step waits for nothing and costs "
    "nothing",
    "[ari-sim][pacing]") {
  const auto frames = FramesFromLines({
      Stamped("2026-11-26T14:15:58.000+0500"), Stamped("2026-11-26T14:15:58.100+0500"),
      Stamped("2026-11-26T14:15:58.050+0500"),  // 50 ms earlier than the one before
      R"({"type":"NoTimestamp"})",
      Stamped("2026-11-26T09:15:58.250Z"),  // the same clock written in UTC
  });
  // Each frame is due at its latest stamp so far minus the first: the frame
  // stamped .050 goes right after .100, and .250 is still due 250 ms in (the
  // backward step is not added to the clock, which stays on recorded time).
  PacingOptions recorded;
  CHECK(ComputeOffsets(frames, recorded) ==
        std::vector<microseconds>{milliseconds(0), milliseconds(100), milliseconds(100),
                                  milliseconds(100), milliseconds(250)});
  CHECK(ComputeDelays(frames, recorded) ==
        std::vector<microseconds>{milliseconds(0), milliseconds(100), milliseconds(0),
                                  milliseconds(0), milliseconds(150)});
  PacingOptions ten_times = recorded;
  ten_times.speed = 10;
  CHECK(ComputeDelays(frames, ten_times) ==
        std::vector<microseconds>{milliseconds(0), milliseconds(10), milliseconds(0),
                                  milliseconds(0), milliseconds(15)});
  PacingOptions fast;
  fast.mode = PacingMode::kFast;
  CHECK(ComputeDelays(frames, fast) == std::vector<microseconds>(5, microseconds(0)));

  Replay replay(frames, ten_times, {});
  CHECK(replay.next_offset() == microseconds(0));
  CHECK(replay.reached_offset() == microseconds(0));
  (void)replay.MarkSent();
  CHECK(replay.next_offset() == milliseconds(10));
  (void)replay.MarkSent();
  CHECK(replay.reached_offset() == milliseconds(10));
  (void)replay.MarkSent();
  (void)replay.MarkSent();
  CHECK(replay.next_offset() == milliseconds(25));

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

TEST_CASE("Pacing over real captures with non-monotonic stamps stays on recorded time",
          "[ari-sim][pacing]") {
  // k6's call-center stream has a ChannelDestroyed stamped 1 ms before the
  // frame ahead of it; p-burst-80's observer stream (an overloaded PBX) has
  // 188 such steps, 1.4 s in all, which a clock adding up the forward gaps
  // would have put behind the recorded time (and behind its CEL lines).
  for (const auto& path :
       {CaptureDir() / "k6-caller-hangs-up-during-transfer.call-center.jsonl",
        SourceDir() / "fixtures" / "asterisk-cel" / "p-burst-80.observer.jsonl"}) {
    INFO(path.filename().string());
    auto loaded = LoadFrames({path.string()});
    REQUIRE(loaded.ok());
    PacingOptions twice;
    twice.speed = 2;
    const auto offsets = ComputeOffsets(*loaded, twice);
    const auto delays = ComputeDelays(*loaded, twice);
    const std::int64_t first = *loaded->front().time_us;
    std::int64_t latest = first;
    std::int64_t backwards = 0;
    for (std::size_t i = 0; i < loaded->size(); ++i) {
      const auto& frame = (*loaded)[i];
      REQUIRE(frame.time_us.has_value());
      if (*frame.time_us < latest) {
        ++backwards;
        CHECK(delays[i] == microseconds(0));
      }
      latest = std::max(latest, *frame.time_us);
      // Rounded on its own: (latest - first) / 2 to the µs.
      CHECK(offsets[i] == microseconds((latest - first + 1) / 2));
    }
    CHECK(backwards >= 1);
    CHECK(offsets.back() == microseconds((latest - first + 1) / 2));
  }
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

}  // namespace
}  // namespace callledger::arisim
