// The ari-sim binary's pacing: the recorded gaps between frames, scaled by
// --speed, or a constant --rate whatever the recording says.
#include <signal.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ari/timestamp.h"
#include "sim_process.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::arisim {
namespace {

namespace json = boost::json;
using process_test::Frames;
using process_test::kEvents;
using process_test::kObserverA;
using process_test::kObserverK1;
using process_test::Sim;
using process_test::WsClient;
using Clock = std::chrono::steady_clock;

TEST_CASE("Recorded pacing, scaled by --speed", "[ari-sim][process][pacing]") {
  const auto frames = Frames(kObserverA);
  constexpr double kSpeed = 10;
  // The last frame is due at the latest stamp minus the first, scaled (a
  // frame stamped earlier than one before it costs no time).
  std::int64_t first_us = 0;
  std::int64_t latest_us = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const std::int64_t stamp =
        *ari::ParseAriTimestamp(json::parse(frames[i]).at("timestamp").as_string());
    if (i == 0) first_us = latest_us = stamp;
    latest_us = std::max(latest_us, stamp);
  }
  const std::int64_t recorded_us = latest_us - first_us;
  const double expected_s = static_cast<double>(recorded_us) / 1e6 / kSpeed;
  REQUIRE(expected_s > 0.3);

  Sim sim({"--speed", "10", kObserverA});
  WsClient client;
  REQUIRE(client.Connect(sim.port, kEvents) == 101);
  REQUIRE(client.Read() == frames[0]);
  const auto start = Clock::now();
  const auto rest = client.ReadN(frames.size() - 1);
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  REQUIRE(rest.size() == frames.size() - 1);
  CHECK(elapsed_s >= expected_s * 0.95);
  CHECK(elapsed_s <= expected_s + 1.0);
}

TEST_CASE("A constant --rate: 100 frames at 200 per second span 0.495 s",
          "[ari-sim][process][pacing][rate]") {
  // The first 100 frames of k1, whose recorded gaps are nothing like 5 ms.
  auto frames = Frames(kObserverK1);
  REQUIRE(frames.size() >= 100);
  frames.resize(100);
  callledger::testing::TempDir dir("ari-sim-rate-test");
  std::string text;
  for (const auto& frame : frames) text += frame + "\n";
  callledger::testing::WriteFile(dir / "hundred.jsonl", text);

  Sim sim({"--rate", "200", (dir / "hundred.jsonl").string()});
  WsClient client;
  REQUIRE(client.Connect(sim.port, kEvents) == 101);
  REQUIRE(client.Read() == frames[0]);
  const auto start = Clock::now();
  const auto rest = client.ReadN(frames.size() - 1);
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  REQUIRE(rest.size() == frames.size() - 1);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    INFO("frame " << i + 2);
    CHECK(rest[i] == frames[i + 1]);
  }
  constexpr double kExpectedS = 99.0 / 200;  // frame 100 is due 0.495 s after frame 1
  CHECK(elapsed_s >= kExpectedS * 0.95);
  CHECK(elapsed_s <= kExpectedS + 0.5);
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

}  // namespace
}  // namespace callledger::arisim
