// The ari-sim binary's arguments: what it refuses (exit 2, never listening)
// and what --help explains (exit 0).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim_process.h"

namespace callledger::arisim {
namespace {

using process_test::kObserverA;
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
  for (const char* word :
       {"--drop-at", "--gap", "--speed", "--fast", "--rate", "--listen", "api_key", "listening on",
        "/ari/channels", "--tls-cert", "--tls-key", "wss://"}) {
    CHECK(text.find(word) != std::string::npos);
  }
}

}  // namespace
}  // namespace callledger::arisim
