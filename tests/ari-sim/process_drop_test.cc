// The ari-sim binary's connections: --drop-at closes the stream and --gap
// loses frames while REST tells the truth (the expected channels computed
// here from the capture, independently of ari-sim's own state code), and a
// second subscriber to the app replaces the first with nothing lost.
#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ari/timestamp.h"
#include "sim_process.h"

namespace callledger::arisim {
namespace {

namespace json = boost::json;
using process_test::ById;
using process_test::ExpectedChannels;
using process_test::Frames;
using process_test::Get;
using process_test::kEvents;
using process_test::kObserverA;
using process_test::Sim;
using process_test::WsClient;

TEST_CASE("Drop at 10 with a gap of 5: frames 1..10, a close, then 16.. for the next client",
          "[ari-sim][process][drop]") {
  const auto frames = Frames(kObserverA);
  Sim sim({"--fast", "--drop-at", "10", "--gap", "5", kObserverA});

  // Before anyone subscribes the stream has not started.
  CHECK(Get(sim.port, "/ari/channels").body == "[]");

  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  const auto got = first.ReadN(11);
  REQUIRE(got.size() == 10);
  CHECK(first.ClosedNormally());
  for (std::size_t i = 0; i < 10; ++i) CHECK(got[i] == frames[i]);

  // During the gap REST tells the truth: frames 11..15 happened.
  const auto during = ById(Get(sim.port, "/ari/channels").body);
  CHECK(during == ExpectedChannels(frames, 15));
  CHECK(during != ExpectedChannels(frames, 10));
  // And it waits for the client: nothing moves without one, however long it
  // is watched. With --fast every frame is due at once, and ari-sim serves
  // REST on the one thread its replay runs on, so 50 ms of requests back to
  // back give the replay every chance to move.
  const auto at_15 = ExpectedChannels(frames, 15);
  const auto watched_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  bool still = true;
  do {
    still = still && ById(Get(sim.port, "/ari/channels").body) == at_15;
  } while (std::chrono::steady_clock::now() < watched_until);
  CHECK(still);

  WsClient second;
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  const auto rest = second.ReadN(frames.size() - 15);
  REQUIRE(rest.size() == frames.size() - 15);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    INFO("frame " << i + 16);
    CHECK(rest[i] == frames[i + 15]);
  }
  CHECK(ById(Get(sim.port, "/ari/channels").body) == ExpectedChannels(frames, frames.size()));
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

TEST_CASE("Drop points repeat", "[ari-sim][process][drop]") {
  const auto frames = Frames(kObserverA);
  Sim sim({"--fast", "--drop-at", "3", "--gap", "0", "--drop-at", "10", "--gap", "2", kObserverA});
  WsClient one;
  REQUIRE(one.Connect(sim.port, kEvents) == 101);
  const auto a = one.ReadN(frames.size());
  CHECK(one.ClosedNormally());
  WsClient two;
  REQUIRE(two.Connect(sim.port, kEvents) == 101);
  const auto b = two.ReadN(frames.size());
  CHECK(two.ClosedNormally());
  WsClient three;
  REQUIRE(three.Connect(sim.port, kEvents) == 101);
  const auto c = three.ReadN(frames.size() - 12);

  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 7);
  REQUIRE(c.size() == frames.size() - 12);
  CHECK(a == std::vector<std::string>(frames.begin(), frames.begin() + 3));
  CHECK(b == std::vector<std::string>(frames.begin() + 3, frames.begin() + 10));
  CHECK(c == std::vector<std::string>(frames.begin() + 12, frames.end()));
}

TEST_CASE("A second subscriber to the app replaces the first (ApplicationReplaced)",
          "[ari-sim][process][replace]") {
  const auto frames = Frames(kObserverA);
  // About one second of stream, so the second client arrives mid-stream.
  Sim sim({"--speed", "5", kObserverA});
  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  auto got_first = first.ReadN(5);
  REQUIRE(got_first.size() == 5);

  WsClient second;
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  std::optional<json::value> replaced;
  while (auto message = first.Read()) {
    const json::value event = json::parse(*message);
    if (event.at("type").as_string() == "ApplicationReplaced") {
      replaced = event;
      CHECK_FALSE(first.Read().has_value());  // then the close
      break;
    }
    got_first.push_back(*message);
  }
  REQUIRE(replaced.has_value());
  CHECK(first.ClosedNormally());
  CHECK(replaced->at("application").as_string() == "call-ledger");
  CHECK(ari::ParseAriTimestamp(replaced->at("timestamp").as_string()).has_value());

  // The newer client goes on where the older one stopped: nothing lost.
  const auto got_second = second.ReadN(frames.size() - got_first.size());
  CHECK_FALSE(got_second.empty());
  std::vector<std::string> joined = got_first;
  joined.insert(joined.end(), got_second.begin(), got_second.end());
  CHECK(joined == frames);
}

TEST_CASE("A subscriber to another app neither replaces the stream's client nor gets events",
          "[ari-sim][process][replace]") {
  const auto frames = Frames(kObserverA);
  Sim sim({"--speed", "20", kObserverA});
  WsClient main_client;
  REQUIRE(main_client.Connect(sim.port, kEvents) == 101);
  REQUIRE(main_client.Read() == frames[0]);
  WsClient other;
  REQUIRE(other.Connect(sim.port, "/ari/events?app=wallboard") == 101);
  const auto rest = main_client.ReadN(frames.size() - 1);
  CHECK(rest == std::vector<std::string>(frames.begin() + 1, frames.end()));
}

}  // namespace
}  // namespace callledger::arisim
