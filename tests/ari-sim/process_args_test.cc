// The ari-sim binary's arguments: what it refuses (exit 2, never listening)
// and what --help explains (exit 0).
#include <signal.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim_process.h"
#include "support/temp_dir.h"

namespace callledger::arisim {
namespace {

using process_test::CelFixture;
using process_test::Get;
using process_test::kObserverA;
using process_test::Sim;
using process_test::SimProcess;

TEST_CASE("The rate option excludes --speed and --fast and must be positive",
          "[ari-sim][process][rate]") {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--rate", "10", "--fast", kObserverA},
           {"--fast", "--rate", "10", kObserverA},
           {"--rate", "10", "--speed", "2", kObserverA},
           {"--rate", "0", kObserverA},
           {"--rate", "-3", kObserverA},
       }) {
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    INFO(joined);
    SimProcess process(args, true);
    CHECK(process.WaitExit() == 2);
    CHECK(process.RestOfStdout().empty());  // it never listened
  }
  SimProcess zero({"--rate", "0", kObserverA}, true);
  CHECK(zero.WaitExit() == 2);
  CHECK(zero.Stderr().find("--rate must be a positive number") != std::string::npos);
}

TEST_CASE(
    "The --realtime flag refuses --fast, and --cel needs --cel-out, one per capture, files that "
    "open",
    "[ari-sim][process][realtime][cel]") {
  {
    SimProcess process({"--realtime", "--fast", kObserverA}, true);
    REQUIRE(process.WaitExit() == 2);  // (reading its pipes would wait for its end)
    CHECK(process.RestOfStdout().empty());
    CHECK(process.Stderr().find("--fast cannot be combined with --realtime") != std::string::npos);
  }
  callledger::testing::TempDir dir("ari-sim-cel-args");
  const std::string out = (dir / "cel.jsonl").string();
  const std::string cel = CelFixture("a-inbound-answered.cel.jsonl");
  const std::string capture = CelFixture("a-inbound-answered.observer.jsonl");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--cel", cel, capture},
           {"--cel-out", out, capture},
           {"--cel-rotate-at", "3", capture},
           {"--cel", cel, "--cel", cel, "--cel-out", out, capture},
           {"--cel", "/nonexistent/x.cel.jsonl", "--cel-out", out, capture},
           {"--cel", cel, "--cel-out", (dir / "no" / "cel.jsonl").string(), capture},
           {"--cel", cel, "--cel-out", out, "--cel-rotate-at", "0", capture},
       }) {
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    INFO(joined);
    SimProcess process(args, true);
    REQUIRE(process.WaitExit() == 2);
    CHECK(process.RestOfStdout().empty());
  }
  SimProcess two_for_one({"--cel", cel, "--cel", cel, "--cel-out", out, capture}, true);
  REQUIRE(two_for_one.WaitExit() == 2);
  CHECK(two_for_one.Stderr().find("one --cel per capture FILE") != std::string::npos);

  // An empty --cel stands for a capture without CEL lines.
  Sim sim({"--cel", "", "--cel", cel, "--cel-out", out, kObserverA, capture});
  CHECK(Get(sim.port, "/ari/asterisk/info").status == 200);  // it serves (and handles signals)
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

TEST_CASE("A --listen address that is not loopback is refused", "[ari-sim][process]") {
  for (const char* address : {"0.0.0.0:0", "192.168.1.10:8088"}) {
    SimProcess process({"--listen", address, "--fast", kObserverA}, true);
    CHECK(process.WaitExit() == 2);
    CHECK(process.RestOfStdout().empty());
    CHECK(process.Stderr().find("loopback only") != std::string::npos);
  }
}

TEST_CASE("TLS options: both or neither, and files that load", "[ari-sim][process][tls]") {
  {
    SimProcess process({"--listen", "127.0.0.1:0", "--tls-cert", kObserverA, kObserverA}, true);
    CHECK(process.WaitExit() == 2);
    CHECK(process.RestOfStdout().empty());
  }
  // A capture is not a PEM certificate.
  SimProcess process(
      {"--listen", "127.0.0.1:0", "--tls-cert", kObserverA, "--tls-key", kObserverA, kObserverA},
      true);
  CHECK(process.WaitExit() == 2);
  CHECK(process.RestOfStdout().empty());
  CHECK(process.Stderr().find("cannot load certificate") != std::string::npos);
}

TEST_CASE("Bad arguments exit with 2, and help explains and exits with 0", "[ari-sim][process]") {
  {
    SimProcess process({"--drop-at", "10", "--gap", "5", "--drop-at", "12", kObserverA}, true);
    CHECK(process.WaitExit() == 2);
  }
  {
    SimProcess process({"--fast", "--speed", "2", kObserverA}, true);
    CHECK(process.WaitExit() == 2);
  }
  {
    SimProcess process({"--fast", "/nonexistent/capture.jsonl"}, true);
    CHECK(process.WaitExit() == 2);
  }
  SimProcess help({"--help"});
  CHECK(help.WaitExit() == 0);
  const std::string text = help.RestOfStdout();
  for (const char* word : {"--drop-at",     "--gap",
                           "--speed",       "--fast",
                           "--rate",        "--listen",
                           "api_key",       "listening on",
                           "/ari/channels", "--tls-cert",
                           "--tls-key",     "wss://",
                           "--realtime",    "--cel FILE",
                           "--cel-out",     "--cel-rotate-at",
                           "eventtime",     "--lead-in-ms",
                           "--restamp",     "upgrades get 503",
                           "--restart-at",  "--restart-down-ms",
                           "startup_time"}) {
    CHECK(text.find(word) != std::string::npos);
  }
}

}  // namespace
}  // namespace callledger::arisim
