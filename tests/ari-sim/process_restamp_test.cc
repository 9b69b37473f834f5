// The ari-sim binary with --realtime --restamp at recorded speed, as the
// healing tests run it: every frame and CEL line is the capture's, moved by
// one shift of whole milliseconds to the moment it is due; after a drop the
// PBX is away (503) until its gap has happened and the next frame is near,
// and the client that comes back then gets that next frame first.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ari-sim/restamp.h"
#include "ari/timestamp.h"
#include "sim_process.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace callledger::arisim {
namespace {

using callledger::testing::ReadFile;
using callledger::testing::ReadLines;
using callledger::testing::TempDir;
using callledger::testing::WaitUntil;
using process_test::CelFixture;
using process_test::Frames;
using process_test::kEvents;
using process_test::Sim;
using process_test::WsClient;
using Clock = std::chrono::steady_clock;

const std::string kCapture = CelFixture("a-inbound-answered.observer.jsonl");
const std::string kCel = CelFixture("a-inbound-answered.cel.jsonl");

std::int64_t WallUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t Stamp(const std::string& frame) {
  const std::string key = "\"timestamp\":\"";
  const std::size_t at = frame.find(key) + key.size();
  const auto t = ari::ParseAriTimestamp(frame.substr(at, frame.find('"', at) - at));
  REQUIRE(t.has_value());
  return *t;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

TEST_CASE("Restamp in realtime: the capture moved to now, and a drop keeps the PBX away",
          "[ari-sim][process][realtime][restamp]") {
  const auto frames = Frames(kCapture);
  const auto cel = ReadLines(kCel);
  // Frames 1-45 in the first 30 ms, 46-71 two seconds later, 72-93 three
  // seconds after those: the drop hides 46-71, and frame 72 is due 5.036 s
  // into the stream.
  REQUIRE(Stamp(frames[71]) - Stamp(frames[0]) == 5'036'000);
  TempDir dir("ari-sim-restamp");
  const auto out = dir / "cel.jsonl";
  const auto sent = dir / "sent.jsonl";
  Sim sim({"--realtime", "--restamp", "--lead-in-ms", "300", "--drop-at", "45", "--gap", "26",
           "--cel", kCel, "--cel-out", out.string(), "--stream-out", sent.string(), kCapture});

  const auto before = Clock::now();
  const std::int64_t wall_before = WallUs();
  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  const std::vector<std::string> got = first.ReadN(46);
  REQUIRE(got.size() == 45);
  CHECK(first.ClosedNormally());
  // One shift, whole milliseconds, putting frame 1 where its time came: the
  // clock started at the subscription plus the 300 ms lead-in.
  const std::int64_t shift = Stamp(got[0]) - Stamp(frames[0]);
  CHECK(shift % 1000 == 0);
  CHECK(Stamp(got[0]) >= wall_before + 300'000 - 1000);
  CHECK(Stamp(got[0]) <= WallUs());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("frame " << i + 1);
    CHECK(got[i] == RestampFrame(frames[i], shift));
  }
  // --stream-out: every frame of the stream as played, the gap's included,
  // written when the stream started.
  const std::vector<std::string> played = ReadLines(sent);
  REQUIRE(played.size() == frames.size());
  for (std::size_t i = 0; i < played.size(); ++i) {
    INFO("frame " << i + 1);
    CHECK(played[i] == RestampFrame(frames[i], shift));
  }

  // Away: refused while the gap happens and until the lead-in before frame 72.
  WsClient early;
  CHECK(early.Connect(sim.port, kEvents) == 503);
  Clock::time_point back;
  WsClient second;
  REQUIRE(WaitUntil(
      [&] {
        WsClient attempt;
        const int status = attempt.Connect(sim.port, kEvents);
        if (status == 503) return false;
        REQUIRE(status == 101);
        back = Clock::now();
        return true;
      },
      std::chrono::seconds(10), "ari-sim to take subscriptions again"));
  // Frame 72 is due 5.036 s after the clock's start, which came at least
  // 300 ms after `before`; the PBX was away until 300 ms before that.
  CHECK(Seconds(back - before) >= 5.0);
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  const std::vector<std::string> rest = second.ReadThrough(RestampFrame(frames.back(), shift));
  REQUIRE(!rest.empty());
  CHECK(rest.front() == RestampFrame(frames[71], shift));
  CHECK(rest.size() == frames.size() - 71);

  // Every CEL line, moved by the same shift, none before its time.
  std::vector<std::string> restamped;
  std::string expected_text;
  for (const auto& line : cel) {
    restamped.push_back(RestampCelLine(line, shift));
    expected_text += restamped.back() + "\n";
  }
  REQUIRE(WaitUntil([&] { return ReadFile(out).size() >= expected_text.size(); },
                    std::chrono::seconds(10), "every CEL line in " + out.string()));
  CHECK(ReadFile(out) == expected_text);
  CHECK(restamped.back() != cel.back());
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

}  // namespace
}  // namespace callledger::arisim
