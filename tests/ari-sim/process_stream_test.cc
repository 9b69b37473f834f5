// The ari-sim binary over real sockets: it says where it listens before
// anything else, stops cleanly on a signal, and with --fast a client gets
// every frame of every file byte for byte, in order.
#include <signal.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim_process.h"

namespace callledger::arisim {
namespace {

using process_test::Frames;
using process_test::Get;
using process_test::kEvents;
using process_test::kObserverA;
using process_test::kObserverK1;
using process_test::Sim;
using process_test::WsClient;

TEST_CASE("ari-sim prints where it listens first and stops cleanly on SIGTERM and SIGINT",
          "[ari-sim][process]") {
  for (const int signal_number : {SIGTERM, SIGINT}) {
    Sim sim({"--fast", kObserverA});
    CHECK(Get(sim.port, "/ari/asterisk/info").status == 200);
    CHECK(sim.process.Signal(signal_number) == 0);
    CHECK(sim.process.RestOfStdout().empty());  // nothing else on stdout
  }
}

TEST_CASE("With --fast a client receives every frame byte for byte, files in order",
          "[ari-sim][process]") {
  Sim sim({"--fast", kObserverA, kObserverK1});
  auto expected = Frames(kObserverA);
  const auto k1 = Frames(kObserverK1);
  expected.insert(expected.end(), k1.begin(), k1.end());

  WsClient client;
  REQUIRE(client.Connect(sim.port, kEvents) == 101);
  const auto received = client.ReadN(expected.size());
  REQUIRE(received.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("frame " << i + 1);
    CHECK(received[i] == expected[i]);
  }
  // Both calls ended: nothing is live, and REST still answers after the end.
  CHECK(Get(sim.port, "/ari/channels").body == "[]");
  CHECK(Get(sim.port, "/ari/bridges").body == "[]");
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

}  // namespace
}  // namespace callledger::arisim
