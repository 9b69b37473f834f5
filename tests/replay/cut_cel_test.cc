// The cel records of a simulated cut run (replay/cut_replay.h): each
// window's lines are exactly the capture's CEL lines stamped in it (read
// here without the daemon's reader), in file order and byte for byte; the
// window opens cel.margin_ms before the gap's start and closes at its
// reconcile, and says so as the daemon does; a window past the file's last
// line carries the daemon's note for a settle wait that ran out.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cut_runs.h"
#include "payload/cel.h"
#include "payload/gap.h"
#include "replay/cut_replay.h"
#include "support/fixtures.h"

namespace callledger::replay {
namespace {

using testing::EventTimeOf;
using testing::OfKind;
using testing::RunCuts;

constexpr std::int64_t kMarginUs = 5'000'000;

// One window: its parts' payloads, in order.
struct Window {
  std::vector<payload::CelPayload> parts;
};

std::vector<Window> WindowsOf(const CutRun& run) {
  std::vector<Window> out;
  bool open = false;
  for (const auto& record : OfKind(run.records, RecordKind::kCel)) {
    auto cel = payload::ParseCel(record.payload);
    REQUIRE(cel.ok());
    CHECK(record.event_time_us == cel->until_us);
    if (!open) out.emplace_back();
    CHECK(cel->part == out.back().parts.size() + 1);
    open = !cel->last_part;
    out.back().parts.push_back(std::move(*cel));
  }
  CHECK_FALSE(open);
  return out;
}

// The CEL file's lines stamped in [since, until], in file order.
std::vector<std::string> LinesIn(const std::string& scenario, std::int64_t since,
                                 std::int64_t until) {
  std::vector<std::string> out;
  for (const auto& line : testing::ReadLines(testing::CelLog(scenario))) {
    if (line.empty()) continue;
    const std::int64_t t = EventTimeOf(line);
    if (t >= since && t <= until) out.push_back(line);
  }
  return out;
}

TEST_CASE("every window's cel records hold exactly the capture's CEL lines stamped in it") {
  struct Case {
    std::string stream;
    std::vector<Cut> cuts;
  };
  const std::vector<Case> cases = {
      {"p-burst-80.observer.jsonl", {{1000, 500}, {3500, 600}, {6200, 400}}},
      {"k2-agent-hunt.observer.jsonl", {{113, 11}}},
      {"q-observer-gap.observer.jsonl", {{345, 0}}},
  };
  for (const auto& c : cases) {
    INFO(c.stream);
    const std::string scenario = c.stream.substr(0, c.stream.find('.'));
    const CutRun run = RunCuts(c.stream, c.cuts, true);
    const auto gaps = OfKind(run.records, RecordKind::kGap);
    const auto windows = WindowsOf(run);
    REQUIRE(windows.size() == gaps.size());
    std::uint64_t lines_in_all = 0;
    for (std::size_t w = 0; w < windows.size(); ++w) {
      INFO("window " << w);
      auto gap = payload::ParseGap(gaps[w].payload);
      REQUIRE(gap.ok());
      // The first connection's window opens at the connection itself.
      const std::int64_t heard = w == 0 ? gap->until_us : gap->since_us;
      std::vector<std::string> lines;
      for (const auto& part : windows[w].parts) {
        CHECK(part.since_us == heard - kMarginUs);
        CHECK(part.until_us == gap->until_us);
        CHECK(part.file == testing::CelLog(scenario).string());
        CHECK(part.bad_lines.empty());
        for (const auto& line : part.lines) lines.push_back(line.text());
      }
      CHECK(lines == LinesIn(scenario, heard - kMarginUs, gap->until_us));
      lines_in_all += lines.size();
    }
    CHECK(run.cel_lines == lines_in_all);
    CHECK(lines_in_all > 0);
  }
}

TEST_CASE("a window's notes say where it begins, as the daemon's do") {
  const CutRun run = RunCuts("a-inbound-answered.observer.jsonl", {{53, 12}}, true);
  const auto windows = WindowsOf(run);
  REQUIRE(windows.size() == 2);
  const auto& start = windows[0].parts.back().notes;
  REQUIRE_FALSE(start.empty());
  CHECK(start[0] ==
        "no record heard from Asterisk before this run: window from this connection, less "
        "cel.margin_ms (5000 ms)");
  const auto& cut = windows[1].parts.back().notes;
  REQUIRE_FALSE(cut.empty());
  CHECK(cut[0] ==
        "window from the disconnect before this connection, less cel.margin_ms (5000 ms)");
  // Asterisk wrote lines after the cut's reconnection: no wait ran out.
  for (const auto& note : cut) CHECK(note.find("cel.settle_ms") == std::string::npos);
}

TEST_CASE("a window that ends after the CEL file's last line says the settle wait ran out") {
  // b's gap runs to the end of the capture: the reconnection is 300 ms after
  // the last frame, later than Asterisk's last CEL line.
  const CutRun run = RunCuts("b-inbound-abandoned.observer.jsonl", {{47, 15}}, true);
  const auto windows = WindowsOf(run);
  REQUIRE(windows.size() == 2);
  const auto& notes = windows[1].parts.back().notes;
  REQUIRE(notes.size() >= 2);
  CHECK(notes[1] ==
        "after waiting cel.settle_ms (2000 ms) the file held no line stamped at or after the "
        "window's end (its last: 2026-12-07T11:45:14.281896Z): it was read as it was then");
  // The hidden end is in the window: the call channel's HANGUP with its cause.
  bool hangup = false;
  for (const auto& line : windows[1].parts.back().lines) {
    hangup = hangup || (line.text().find(R"("eventtype":"HANGUP")") != std::string::npos &&
                        line.text().find(R"("uniqueid":"1796643911.13")") != std::string::npos);
  }
  CHECK(hangup);
}

}  // namespace
}  // namespace callledger::replay
