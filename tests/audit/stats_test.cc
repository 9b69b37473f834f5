// ComputeStats agrees with counts taken straight from the fixture lines
// (with Boost.JSON, not the ledger's own parser), and those counts agree with
// the fixture README, so the independent counting is itself checked.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "audit/stats.h"
#include "fixture_lines.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"

namespace callledger::audit {
namespace {

using testing::Import;
using testing::Line;
using testing::ReadFixture;

TEST_CASE("ComputeStats counts by type and kind as the fixture lines do") {
  for (const auto& file : testing::CapturedStreams()) {
    INFO(file.filename().string());
    const std::vector<Line> lines = ReadFixture(file);
    std::map<std::string, std::uint64_t> by_type;
    std::int64_t first = INT64_MAX, last = INT64_MIN;
    std::uint64_t bytes = 0;
    for (const auto& l : lines) {
      ++by_type[l.type];
      first = std::min(first, l.time_us);
      last = std::max(last, l.time_us);
      bytes += l.text.size();
    }
    store::MemoryEventLog log("pbx-stats");
    Import(file, log);
    Result<LedgerStats> stats = ComputeStats(log);
    REQUIRE(stats.ok());
    CHECK(stats->records == lines.size());
    CHECK(stats->first_seq == Seq{1});
    CHECK(stats->last_seq == Seq{lines.size()});
    CHECK(stats->by_type == by_type);
    CHECK(stats->by_kind == std::map<std::string, std::uint64_t>{{"ari_event", lines.size()}});
    CHECK(stats->first_event_us == first);
    CHECK(stats->last_event_us == last);
    CHECK(stats->payload_bytes == bytes);
    CHECK(stats->info.node == "pbx-stats");
    CHECK(stats->head.seq == Seq{lines.size()});
  }
}

TEST_CASE("the captured streams hold the event counts the fixture README lists") {
  // Guards the independent counting above: summed over the observer streams.
  std::map<std::string, std::uint64_t> observer;
  for (const auto& file : testing::CapturedStreams()) {
    if (file.filename().string().ends_with(".observer.jsonl")) {
      for (const auto& l : ReadFixture(file)) ++observer[l.type];
    }
  }
  CHECK(observer["ChannelDialplan"] == 393);
  CHECK(observer["DeviceStateChanged"] == 180);
  CHECK(observer["ChannelDestroyed"] == 80);
  CHECK(observer["RecordingStarted"] == 2);
}

}  // namespace
}  // namespace callledger::audit
