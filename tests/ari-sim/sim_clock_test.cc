// ari-sim's replay clock without sockets (stream_clock.h): what the pump
// does next at made-up times, in realtime (the clock runs on without a
// client) and by default (the stream waits for one), and where CEL lines go
// between the frames.
#include "ari-sim/stream_clock.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>

namespace callledger::arisim {
namespace {

using std::chrono::milliseconds;
using Kind = StreamStep::Kind;

const SteadyTime kT0 = SteadyTime{} + std::chrono::hours(1);

SteadyTime At(int ms) { return kT0 + milliseconds(ms); }

StreamCues Cues(bool subscribed, std::optional<FrameCue> frame,
                std::optional<LineCue> line = std::nullopt, int reached_ms = 0) {
  StreamCues cues;
  cues.subscribed = subscribed;
  cues.frame = frame;
  cues.line = line;
  cues.reached = milliseconds(reached_ms);
  return cues;
}

FrameCue Frame(std::uint64_t number, int offset_ms, bool unsendable = false) {
  return FrameCue{number, milliseconds(offset_ms), unsendable};
}

LineCue Line(std::uint64_t after_frames, int offset_ms) {
  return LineCue{after_frames, milliseconds(offset_ms)};
}

bool Waits(const StreamStep& step, SteadyTime until) {
  return step.kind == Kind::kWait && step.until == until;
}

TEST_CASE("Nothing happens before the first subscription", "[ari-sim][clock]") {
  for (const ClockMode mode : {ClockMode::kWaitsForClient, ClockMode::kRealtime}) {
    StreamClock clock(mode, milliseconds(0));
    CHECK_FALSE(clock.started());
    CHECK(Waits(clock.Next(At(0), Cues(false, Frame(1, 0), Line(0, 0))), SteadyTime::max()));
  }
}

TEST_CASE("Realtime: the clock runs on without a client, and frames due meanwhile are skipped",
          "[ari-sim][clock][realtime]") {
  StreamClock clock(ClockMode::kRealtime, milliseconds(0));
  clock.OnSubscribe(At(0));
  REQUIRE(clock.started());
  CHECK(clock.start() == At(0));
  CHECK(clock.Next(At(0), Cues(true, Frame(1, 0))).kind == Kind::kSend);
  CHECK(Waits(clock.Next(At(10), Cues(true, Frame(2, 100))), At(100)));
  CHECK(clock.Next(At(100), Cues(true, Frame(2, 100))).kind == Kind::kSend);

  // The client is gone: frame 3 happens in its time all the same, unsent.
  CHECK(Waits(clock.Next(At(150), Cues(false, Frame(3, 200))), At(200)));
  CHECK(clock.Next(At(200), Cues(false, Frame(3, 200))).kind == Kind::kSkip);

  // A client subscribes at 350: frame 4, due at 300 and not handled yet (the
  // pump was late), is not for it; frame 5 is, at its time.
  clock.OnSubscribe(At(350));
  CHECK(clock.start() == At(0));  // the clock did not move
  CHECK(clock.Next(At(350), Cues(true, Frame(4, 300))).kind == Kind::kSkip);
  CHECK(Waits(clock.Next(At(360), Cues(true, Frame(5, 400))), At(400)));
  CHECK(clock.Next(At(400), Cues(true, Frame(5, 400))).kind == Kind::kSend);
  // A frame due right at the subscription is the client's.
  clock.OnSubscribe(At(500));
  CHECK(clock.Next(At(500), Cues(true, Frame(6, 500))).kind == Kind::kSend);

  // A frame in a drop's gap is skipped in its time, client or not.
  CHECK(Waits(clock.Next(At(520), Cues(true, Frame(7, 600, true))), At(600)));
  CHECK(clock.Next(At(600), Cues(true, Frame(7, 600, true))).kind == Kind::kSkip);
  // Late, a client still gets every frame due after it subscribed.
  CHECK(clock.Next(At(900), Cues(true, Frame(8, 700))).kind == Kind::kSend);
}

TEST_CASE("Realtime lead-in: frames due in it are held back, the clock runs on",
          "[ari-sim][clock][realtime]") {
  StreamClock clock(ClockMode::kRealtime, milliseconds(50));
  clock.OnSubscribe(At(0));
  CHECK(clock.start() == At(50));  // the first frame is due after the lead-in
  CHECK(Waits(clock.Next(At(0), Cues(true, Frame(1, 0))), At(50)));
  CHECK(clock.Next(At(50), Cues(true, Frame(1, 0))).kind == Kind::kSend);
  CHECK(clock.Next(At(150), Cues(false, Frame(2, 100))).kind == Kind::kSkip);

  // Subscribed at 220: frame 3 (due at 250) waits for the lead-in's end at
  // 270; frame 4 (due at 280) keeps its time.
  clock.OnSubscribe(At(220));
  CHECK(Waits(clock.Next(At(250), Cues(true, Frame(3, 200))), At(270)));
  CHECK(clock.Next(At(270), Cues(true, Frame(3, 200))).kind == Kind::kSend);
  CHECK(Waits(clock.Next(At(271), Cues(true, Frame(4, 230))), At(280)));
  // A frame due before a later subscription is skipped at once, lead-in or
  // not.
  clock.OnSubscribe(At(400));
  CHECK(clock.Next(At(400), Cues(true, Frame(5, 300))).kind == Kind::kSkip);
}

TEST_CASE("By default the stream waits for a client and keeps the frames' times",
          "[ari-sim][clock]") {
  StreamClock clock(ClockMode::kWaitsForClient, milliseconds(20));
  clock.OnSubscribe(At(0));
  CHECK(clock.start() == At(20));
  CHECK(Waits(clock.Next(At(0), Cues(true, Frame(1, 0))), At(20)));
  CHECK(clock.Next(At(20), Cues(true, Frame(1, 0))).kind == Kind::kSend);

  // Gone before frame 2's time and back soon: frame 2 keeps its time.
  CHECK(Waits(clock.Next(At(30), Cues(false, Frame(2, 100))), SteadyTime::max()));
  clock.OnSubscribe(At(40));
  CHECK(Waits(clock.Next(At(40), Cues(true, Frame(2, 100))), At(120)));
  CHECK(clock.Next(At(120), Cues(true, Frame(2, 100))).kind == Kind::kSend);

  // Gone for long: nothing is skipped, however late it gets; the next frame
  // comes the lead-in after the next subscription, and the rest keep their
  // gaps.
  CHECK(Waits(clock.Next(At(130), Cues(false, Frame(3, 150))), SteadyTime::max()));
  CHECK(Waits(clock.Next(At(5000), Cues(false, Frame(3, 150))), SteadyTime::max()));
  clock.OnSubscribe(At(6000));
  CHECK(Waits(clock.Next(At(6000), Cues(true, Frame(3, 150))), At(6020)));
  CHECK(clock.Next(At(6020), Cues(true, Frame(3, 150))).kind == Kind::kSend);
  CHECK(Waits(clock.Next(At(6021), Cues(true, Frame(4, 250))), At(6120)));
}

TEST_CASE("CEL lines go between the frames by time, after the frames they follow",
          "[ari-sim][clock][cel]") {
  StreamClock clock(ClockMode::kRealtime, milliseconds(0));
  clock.OnSubscribe(At(0));
  // A line that follows no frame comes before frame 1 due at the same time.
  CHECK(clock.Next(At(0), Cues(true, Frame(1, 0), Line(0, 0))).kind == Kind::kAppendCel);
  // A line that follows frame 1 waits for it, though its time has come.
  CHECK(clock.Next(At(0), Cues(true, Frame(1, 0), Line(1, 0))).kind == Kind::kSend);
  // Between frames 1 and 2: at its own time.
  CHECK(Waits(clock.Next(At(10), Cues(true, Frame(2, 100), Line(1, 50), 0)), At(50)));
  CHECK(clock.Next(At(50), Cues(true, Frame(2, 100), Line(1, 50))).kind == Kind::kAppendCel);
  // A tie with the next frame: the line it does not follow goes first.
  CHECK(clock.Next(At(100), Cues(true, Frame(2, 100), Line(1, 100))).kind == Kind::kAppendCel);
  CHECK(clock.Next(At(100), Cues(false, Frame(2, 100), Line(2, 100))).kind == Kind::kSkip);
  // After the last frame, client or not, each line at its time.
  CHECK(Waits(clock.Next(At(800), Cues(false, std::nullopt, Line(5, 900), 700)), At(900)));
  CHECK(clock.Next(At(900), Cues(false, std::nullopt, Line(5, 900), 700)).kind == Kind::kAppendCel);
  CHECK(Waits(clock.Next(At(900), Cues(false, std::nullopt)), SteadyTime::max()));
}

TEST_CASE("By default CEL lines stand still with the stream, up to the frames skipped",
          "[ari-sim][clock][cel]") {
  StreamClock clock(ClockMode::kWaitsForClient, milliseconds(0));
  clock.OnSubscribe(At(0));
  CHECK(clock.Next(At(0), Cues(true, Frame(1, 0))).kind == Kind::kSend);
  // The client left at 10: the clock stopped there, so a line due at 50
  // waits, however long.
  CHECK(Waits(clock.Next(At(10), Cues(false, Frame(2, 100), Line(1, 50))), SteadyTime::max()));
  CHECK(Waits(clock.Next(At(1000), Cues(false, Frame(2, 100), Line(1, 50))), SteadyTime::max()));
  // A drop's gap skipped frames through offset 300: the lines up to there
  // happened with them; the next one waits for the stream.
  CHECK(clock.Next(At(1000), Cues(false, Frame(5, 400), Line(4, 250), 300)).kind ==
        Kind::kAppendCel);
  CHECK(Waits(clock.Next(At(1000), Cues(false, Frame(5, 400), Line(4, 350), 300)),
              SteadyTime::max()));
  // A client at 2000: frame 5 is due at once, so the clock reads 400 there.
  clock.OnSubscribe(At(2000));
  CHECK(clock.Next(At(2000), Cues(true, Frame(5, 400), Line(4, 350), 300)).kind ==
        Kind::kAppendCel);
  CHECK(clock.Next(At(2000), Cues(true, Frame(5, 400), Line(5, 350), 300)).kind == Kind::kSend);
}

}  // namespace
}  // namespace callledger::arisim
