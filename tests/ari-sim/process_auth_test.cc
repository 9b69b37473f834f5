// The ari-sim binary's doors: the lab's credentials (or the ones given by
// --user and --password), as a Basic header or an api_key, on the events
// upgrade and on REST; the recorded info answer, and 404 JSON elsewhere.
#include <catch2/catch.hpp>
#include <string>

#include "ari-sim/auth.h"
#include "sim_process.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::arisim {
namespace {

using callledger::testing::CaptureDir;
using callledger::testing::ReadFile;
using process_test::Frames;
using process_test::Get;
using process_test::HttpAnswer;
using process_test::kEvents;
using process_test::kObserverA;
using process_test::Sim;
using process_test::WsClient;

TEST_CASE("Without the right credentials: 401 on the upgrade and on REST",
          "[ari-sim][process][auth]") {
  Sim sim({"--fast", kObserverA});
  const std::string wrong = "Basic " + EncodeBase64("backend:wrong");

  CHECK(WsClient().Connect(sim.port, kEvents, "") == 401);
  CHECK(WsClient().Connect(sim.port, kEvents, wrong) == 401);
  CHECK(WsClient().Connect(sim.port, std::string(kEvents) + "&api_key=backend:nope", "") == 401);

  for (const char* path : {"/ari/channels", "/ari/bridges", "/ari/asterisk/info"}) {
    HttpAnswer answer = Get(sim.port, path, "");
    CHECK(answer.status == 401);
    CHECK(answer.www_authenticate == R"(Basic realm="Asterisk REST Interface")");
    CHECK(Get(sim.port, path, wrong).status == 401);
    CHECK(Get(sim.port, std::string(path) + "?api_key=backend:nope", "").status == 401);
    CHECK(Get(sim.port, std::string(path) + "?api_key=backend:CallCenter2025", "").status == 200);
    CHECK(Get(sim.port, path).status == 200);
  }
  // api_key on the upgrade, as the lab's clients connected.
  WsClient by_key;
  REQUIRE(by_key.Connect(sim.port, std::string(kEvents) + "&api_key=backend:CallCenter2025", "") ==
          101);
  CHECK(by_key.Read() == Frames(kObserverA)[0]);
}

TEST_CASE("Options user and password replace the lab's credentials", "[ari-sim][process][auth]") {
  Sim sim({"--fast", "--user", "alice", "--password", "s3cret", kObserverA});
  CHECK(Get(sim.port, "/ari/channels").status == 401);  // the lab's pair no longer works
  CHECK(Get(sim.port, "/ari/channels", "Basic " + EncodeBase64("alice:s3cret")).status == 200);
  CHECK(WsClient().Connect(sim.port, kEvents) == 401);
  CHECK(WsClient().Connect(sim.port, std::string(kEvents) + "&api_key=alice:s3cret", "") == 101);
}

TEST_CASE("The info answer is the recorded one, and unknown paths are 404 JSON",
          "[ari-sim][process]") {
  const std::string recorded = ReadFile(CaptureDir() / "api" / "asterisk-info.json");
  {
    Sim sim({"--fast", kObserverA});
    const HttpAnswer info = Get(sim.port, "/ari/asterisk/info");
    CHECK(info.status == 200);
    CHECK(info.body == recorded);
    const HttpAnswer missing = Get(sim.port, "/no/such/path", "");
    CHECK(missing.status == 404);
    CHECK(missing.body == R"({"message":"Not found"})");
    CHECK(Get(sim.port, "/ari/no-such-resource").status == 404);
  }
  callledger::testing::TempDir dir("ari-sim-test");
  const std::string other = R"({"system":{"version":"99.0.0"}})";
  callledger::testing::WriteFile(dir / "info.json", other);
  Sim sim({"--fast", "--info", (dir / "info.json").string(), kObserverA});
  CHECK(Get(sim.port, "/ari/asterisk/info").body == other);
}

}  // namespace
}  // namespace callledger::arisim
