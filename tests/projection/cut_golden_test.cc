// Golden files of cut runs (fixtures/expected/cuts): a capture of
// fixtures/asterisk-cel played with ari-sim's cuts and recorded by a
// simulated daemon with its CEL log (replay/cut_replay.h), replayed twice
// against the checked-in rows. They are part of the hash tied to
// kProjectorVersion (projector_version_test.cc), which reads these files:
// this test is what makes the files the runs' rows.
//
// And a cut run against the real thing: fixtures/recorded holds the daemon's
// own recordings of cuts made by ari-sim; the same cuts simulated give the
// same rows, but for the columns the moment of the reconnection decides.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "cel_captures.h"
#include "cut_cases.h"
#include "projection/row_format.h"
#include "replay/fixture.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

using testing::CutCase;
using testing::CutCases;
using testing::ReadFile;

std::string RowsJson(const std::filesystem::path& file, const replay::FixtureOptions& options) {
  auto result = replay::RunFixture(file, options);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return projection::RowsToJson(result->rows);
}

TEST_CASE("every cut run replays to its golden rows, twice, identically") {
  const auto cases = CutCases();
  CHECK(cases.size() >= 21);
  for (const CutCase& c : cases) {
    INFO(c.name);
    const std::string first = RowsJson(c.stream, testing::CutOptions(c));
    CHECK(first == RowsJson(c.stream, testing::CutOptions(c)));
    REQUIRE(std::filesystem::exists(c.golden()));
    CHECK(first == ReadFile(c.golden()));
  }
}

TEST_CASE("the cut cases: every CEL scenario's observer stream, some app streams, each explained") {
  std::set<std::filesystem::path> streams;
  std::set<std::string> names;
  int app_streams = 0;
  for (const CutCase& c : CutCases()) {
    INFO(c.name);
    CHECK(names.insert(c.name).second);
    CHECK_FALSE(c.cuts.empty());
    CHECK_FALSE(c.cel.empty());
    // Every case says what its cut hides.
    CHECK(c.comment.find_first_not_of(' ') != std::string::npos);
    streams.insert(c.stream);
    app_streams += c.stream.filename().string().ends_with(".call-center.jsonl") ? 1 : 0;
  }
  for (const auto& stream : testing::CelCapturedStreams()) {
    if (!stream.filename().string().ends_with(".observer.jsonl")) continue;
    INFO(stream.filename().string() << " has no case in fixtures/expected/cuts/CUTS");
    CHECK(streams.count(stream) == 1);
  }
  CHECK(app_streams >= 3);
  // No golden file is left without its case.
  for (const auto& e : std::filesystem::directory_iterator(testing::CutsDir())) {
    const std::string file = e.path().filename().string();
    if (!file.ends_with(".rows.json")) continue;
    INFO(file);
    CHECK(names.count(file.substr(0, file.size() - std::string(".rows.json").size())) == 1);
  }
}

// The columns the moment of a reconnection decides (its reconcile's time):
// an answer or end taken from the reconcile, and the seconds counted from
// them. A simulated reconnection is 300 ms before the next frame; the
// daemon's came when its backoff let it.
CallRow WithoutReconnectionTimes(CallRow row) {
  row.answer_us = 0;
  if (row.end_estimated) row.end_us = 0;
  row.duration_s.reset();
  row.ring_s.reset();
  row.talk_s.reset();
  return row;
}

TEST_CASE("a cut run without CEL gives the rows the daemon recorded for the same cut") {
  // fixtures/recorded/README.md: the capture and ari-sim's cut of each.
  struct Recorded {
    std::string file;
    std::string capture;
    replay::Cut cut;
  };
  const std::vector<Recorded> recordings = {
      {"b-abandoned-ends-in-gap.observer", "b-inbound-abandoned.observer", {47, 14}},
      {"k2-hunt-answered-in-gap.observer", "k2-agent-hunt.observer", {103, 27}},
      {"k1-transfer-answered-in-gap.call-center", "k1-transfer-hold-dtmf.call-center", {15, 15}},
      {"h-three-calls-one-begins-in-gap.observer", "h-inbound-utf8-callername.observer", {90, 123}},
  };
  CHECK(recordings.size() == testing::JsonlFiles(testing::RecordedDir()).size());
  for (const auto& r : recordings) {
    INFO(r.file);
    auto recorded = replay::RunFixture(testing::RecordedDir() / (r.file + ".jsonl"), {});
    REQUIRE(recorded.ok());
    replay::FixtureOptions options;
    options.cuts = {r.cut};
    auto simulated = replay::RunFixture(testing::CaptureDir() / (r.capture + ".jsonl"), options);
    REQUIRE(simulated.ok());
    REQUIRE(simulated->rows.size() == recorded->rows.size());
    for (std::size_t i = 0; i < recorded->rows.size(); ++i) {
      INFO(recorded->rows[i].call_id);
      // The daemon's records came in the same order, so even the seqs agree.
      CHECK(WithoutReconnectionTimes(simulated->rows[i]) ==
            WithoutReconnectionTimes(recorded->rows[i]));
    }
  }
}

}  // namespace
}  // namespace callledger
