// The ari-sim binary with --realtime: the stream goes on while no client is
// connected, as a PBX's does. Frames due meanwhile are never sent but
// happen (/ari/channels shows them, checked against the state computed here
// from the capture), and a client that connects later gets the frames due
// from then on. Paced with --rate, so that frame i's time is known here:
// (i-1)/rate after the first subscription.
#include <signal.h>

#include <algorithm>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim_process.h"
#include "support/wait.h"

namespace callledger::arisim {
namespace {

namespace json = boost::json;
using callledger::testing::WaitUntil;
using process_test::ById;
using process_test::ExpectedChannels;
using process_test::Frames;
using process_test::Get;
using process_test::kEvents;
using process_test::kObserverA;
using process_test::Sim;
using process_test::WsClient;
using Clock = std::chrono::steady_clock;
using Channels = std::map<std::string, json::value>;

constexpr double kRate = 20;  // frames per second: frame i is due (i-1)/20 s in

// The channels after each prefix of the frames: index c holds the state
// after the first c.
std::vector<Channels> PrefixStates(const std::vector<std::string>& frames) {
  std::vector<Channels> states;
  for (std::size_t c = 0; c <= frames.size(); ++c) states.push_back(ExpectedChannels(frames, c));
  return states;
}

// How many frames at least have happened, judging by /ari/channels: the
// shortest prefix whose state it shows (nullopt if none).
std::optional<std::size_t> FramesHappened(const std::vector<Channels>& states,
                                          const Channels& shown) {
  for (std::size_t c = 0; c < states.size(); ++c) {
    if (states[c] == shown) return c;
  }
  return std::nullopt;
}

// The frames from the 1-based `number` on.
std::vector<std::string> From(const std::vector<std::string>& frames, std::size_t number) {
  return std::vector<std::string>(frames.begin() + static_cast<long>(number) - 1, frames.end());
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Waits until /ari/channels shows at least `count` frames happened, with no
// client connected; returns how many it showed.
std::size_t WaitForFramesWithoutClient(std::uint16_t port, const std::vector<Channels>& states,
                                       std::size_t count) {
  std::size_t happened = 0;
  const bool reached = WaitUntil(
      [&] {
        happened = FramesHappened(states, ById(Get(port, "/ari/channels").body)).value_or(0);
        return happened >= count;
      },
      std::chrono::seconds(10), "/ari/channels to show frame " + std::to_string(count));
  REQUIRE(reached);
  return happened;
}

TEST_CASE("Realtime: frames due while no client is connected are never sent, REST shows them",
          "[ari-sim][process][realtime]") {
  const auto frames = Frames(kObserverA);
  // The last frame is like no other: reading through it reads to the end.
  REQUIRE(std::count(frames.begin(), frames.end(), frames.back()) == 1);
  const auto states = PrefixStates(frames);

  Sim sim({"--realtime", "--rate", "20", "--drop-at", "10", kObserverA});
  const auto first_connect = Clock::now();  // the clock starts after this
  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  const auto got = first.ReadN(11);
  REQUIRE(got.size() == 10);
  CHECK(first.ClosedNormally());
  CHECK(got == std::vector<std::string>(frames.begin(), frames.begin() + 10));

  // Nobody is connected, and the frames after the 10th happen all the same.
  const std::size_t happened = WaitForFramesWithoutClient(sim.port, states, 25);

  WsClient second;
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  const auto connected = Clock::now();
  const auto rest = second.ReadThrough(frames.back());
  const auto ended = Clock::now();
  REQUIRE_FALSE(rest.empty());
  REQUIRE(rest.size() < frames.size());
  const std::size_t j = frames.size() - rest.size() + 1;
  INFO("the second client's first frame: " << j << "; REST had shown " << happened);
  // From some frame j on every frame, in order...
  CHECK(rest == From(frames, j));
  // ...and not one that had happened before it connected.
  CHECK(j > happened);
  // Every frame due after the subscription is the client's: frame k is due
  // no earlier than first_connect + (k-1)/rate, so every k from
  // 1 + (connected - first_connect) * rate on is due after it.
  CHECK(j <= static_cast<std::size_t>(std::ceil(1 + Seconds(connected - first_connect) * kRate)));
  // At their times, not in a burst: the last is due (n-1)/rate in.
  CHECK(Seconds(ended - first_connect) >= static_cast<double>(frames.size() - 1) / kRate);
  CHECK(ById(Get(sim.port, "/ari/channels").body) == states.back());
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

TEST_CASE("Realtime lead-in: frames due in it are held back, and REST read then matches",
          "[ari-sim][process][realtime]") {
  const auto frames = Frames(kObserverA);
  const auto states = PrefixStates(frames);
  // A lead-in much longer than this test needs to read /ari/channels.
  Sim sim({"--realtime", "--rate", "20", "--lead-in-ms", "1500", "--drop-at", "10", kObserverA});
  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  REQUIRE(first.ReadN(11).size() == 10);
  const std::size_t happened = WaitForFramesWithoutClient(sim.port, states, 15);

  WsClient second;
  // The subscription (and the lead-in's start) comes after this.
  const auto subscribed = Clock::now();
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  const Channels snapshot = ById(Get(sim.port, "/ari/channels").body);
  const double snapshot_s = Seconds(Clock::now() - subscribed);
  const std::optional<std::string> head = second.Read();
  const double first_frame_s = Seconds(Clock::now() - subscribed);
  REQUIRE(head.has_value());
  std::vector<std::string> rest = {*head};
  if (*head != frames.back()) {
    const auto tail = second.ReadThrough(frames.back());
    rest.insert(rest.end(), tail.begin(), tail.end());
  }
  REQUIRE(rest.size() < frames.size());
  const std::size_t j = frames.size() - rest.size() + 1;
  INFO("first frame " << j << ", REST had shown " << happened << ", snapshot after " << snapshot_s
                      << " s");
  REQUIRE(snapshot_s < 1.0);  // read inside the lead-in
  CHECK(j > happened);
  // The snapshot describes exactly the frames before the first one sent.
  CHECK(rest == From(frames, j));
  CHECK(snapshot == states[j - 1]);
  // The frames of the lead-in's 1.5 s (30 at 20 per second) came after it.
  CHECK(first_frame_s >= 1.5);
  CHECK(first_frame_s < 1.5 + 1.0);
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

}  // namespace
}  // namespace callledger::arisim
