// The reconcile of a simulated cut (replay/cut_replay.h) holds, byte for
// byte, what ari-sim answers on GET /ari/channels and /ari/bridges when it
// makes the same cut: ari-sim's own replay cursor and REST handler, driven
// here without sockets, against the simulation's records.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ari-sim/auth.h"
#include "ari-sim/replay.h"
#include "ari-sim/rest.h"
#include "cut_runs.h"
#include "payload/reconcile.h"
#include "replay/cut_replay.h"

namespace callledger::replay {
namespace {

using testing::CaptureFrames;
using testing::CelFixture;
using testing::OfKind;
using testing::RunCuts;

struct Answers {
  std::string channels;
  std::string bridges;
};

Answers Ask(const arisim::Replay& sim) {
  const arisim::Credentials credentials;
  const std::string info = "{}";
  const arisim::RestContext context{credentials, info, sim.state()};
  const std::string auth =
      "Basic " + arisim::EncodeBase64(credentials.user + ":" + credentials.password);
  const auto channels = arisim::HandleRest({"GET", "/ari/channels", auth}, context);
  const auto bridges = arisim::HandleRest({"GET", "/ari/bridges", auth}, context);
  REQUIRE(channels.status == 200);
  REQUIRE(bridges.status == 200);
  return {channels.body, bridges.body};
}

// What ari-sim answers before its first frame and right after each drop.
std::vector<Answers> AriSimAnswers(const std::string& stream, const std::vector<Cut>& cuts) {
  std::vector<arisim::DropPoint> drops;
  for (const auto& cut : cuts) drops.push_back({cut.after_frame, cut.gap});
  arisim::PacingOptions pacing;
  pacing.mode = arisim::PacingMode::kFast;
  arisim::Replay sim(arisim::FramesFromLines(CaptureFrames(CelFixture(stream))), pacing,
                     std::move(drops));
  std::vector<Answers> out = {Ask(sim)};
  while (!sim.done()) {
    const arisim::Replay::Sent sent = sim.MarkSent();
    if (sent.drop) out.push_back(Ask(sim));
  }
  return out;
}

TEST_CASE("a simulated reconcile is ari-sim's answer after the same cut, byte for byte") {
  struct Case {
    std::string stream;
    std::vector<Cut> cuts;
  };
  const std::vector<Case> cases = {
      {"a-inbound-answered.observer.jsonl", {{53, 12}}},
      {"h-inbound-utf8-callername.observer.jsonl", {{91, 18}, {216, 8}}},
      {"k1-transfer-hold-dtmf.observer.jsonl", {{57, 9}}},
      {"q-observer-gap.call-center.jsonl", {{124, 46}}},
      {"p-burst-80.observer.jsonl", {{1000, 500}, {3500, 600}, {6200, 400}}},
  };
  for (const auto& c : cases) {
    INFO(c.stream);
    const auto expected = AriSimAnswers(c.stream, c.cuts);
    const auto reconciles =
        OfKind(RunCuts(c.stream, c.cuts, false).records, RecordKind::kReconcile);
    REQUIRE(reconciles.size() == expected.size());
    bool something_live = false;
    for (std::size_t i = 0; i < reconciles.size(); ++i) {
      INFO("reconcile " << i);
      auto snapshot = payload::ParseReconcile(reconciles[i].payload);
      REQUIRE(snapshot.ok());
      CHECK(snapshot->channels.text() == expected[i].channels);
      CHECK(snapshot->bridges.text() == expected[i].bridges);
      something_live = something_live || expected[i].channels != "[]";
    }
    CHECK(something_live);
  }
}

}  // namespace
}  // namespace callledger::replay
