// Golden files from real reconnects (fixtures/recorded, see its README):
// ari-sim dropped the connection inside a call and call-ledgerd recorded
// it. Each file replays to its rows, twice; its frames are a capture's,
// byte for byte, but for one gap; its daemon records parse as their kind.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>

#include "ari/timestamp.h"
#include "payload/gap.h"
#include "payload/note.h"
#include "payload/reconcile.h"
#include "payload/record_line.h"
#include "projection/row_format.h"
#include "replay/fixture.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

using testing::ReadFile;
using testing::ReadLines;

std::string Name(const std::filesystem::path& p) { return p.filename().string(); }

std::string RowsJson(const std::filesystem::path& file) {
  auto result = replay::RunFixture(file, {});
  REQUIRE(result.ok());
  return projection::RowsToJson(result->rows);
}

std::int64_t FrameTime(const std::string& frame) {
  const auto at = frame.find("\"timestamp\":\"");
  REQUIRE(at != std::string::npos);
  const auto t = ari::ParseAriTimestamp(frame.substr(at + 13, 28));
  REQUIRE(t.has_value());
  return *t;
}

TEST_CASE("every recorded reconnect replays to its golden rows, twice, identically") {
  const auto files = testing::JsonlFiles(testing::RecordedDir());
  CHECK(files.size() >= 4);
  for (const auto& file : files) {
    INFO(Name(file));
    const std::string first = RowsJson(file);
    CHECK(first == RowsJson(file));
    const auto golden = file.parent_path() / (file.stem().string() + ".rows.json");
    REQUIRE(std::filesystem::exists(golden));
    CHECK(first == ReadFile(golden));
  }
}

TEST_CASE("recorded reconnects: a capture's frames but one gap, and the daemon's own records") {
  for (const auto& file : testing::JsonlFiles(testing::RecordedDir())) {
    INFO(Name(file));
    std::vector<std::string> frames;
    std::vector<RecordDraft> records;
    std::vector<std::size_t> frames_before;  // per daemon record
    for (const auto& line : ReadLines(file)) {
      if (!payload::IsRecordLine(line)) {
        frames.push_back(line);
        continue;
      }
      auto record = payload::ParseRecordLine(line);
      REQUIRE(record.ok());
      records.push_back(*record);
      frames_before.push_back(frames.size());
    }
    REQUIRE_FALSE(frames.empty());
    // The capture it came from: the one that starts with the same frame.
    std::optional<std::vector<std::string>> capture;
    for (const auto& stream : testing::CapturedStreams()) {
      auto lines = ReadLines(stream);
      if (!lines.empty() && lines[0] == frames[0]) capture = std::move(lines);
    }
    REQUIRE(capture.has_value());
    REQUIRE(frames.size() < capture->size());
    // Frames 1..n as captured, then the frames after the gap to the end.
    std::size_t n = 0;
    while (n < frames.size() && frames[n] == (*capture)[n]) ++n;
    const std::size_t skipped = capture->size() - frames.size();
    for (std::size_t i = n; i < frames.size(); ++i) {
      REQUIRE(frames[i] == (*capture)[i + skipped]);
    }
    // The daemon's records: a note, a gap and a reconcile at the start, a
    // gap and a reconcile right after the cut, all parsing as their kind.
    REQUIRE(records.size() == 5);
    const RecordKind kinds[] = {RecordKind::kNote, RecordKind::kGap, RecordKind::kReconcile,
                                RecordKind::kGap, RecordKind::kReconcile};
    for (std::size_t i = 0; i < records.size(); ++i) {
      CHECK(records[i].kind == kinds[i]);
      const Status parsed = records[i].kind == RecordKind::kGap
                                ? payload::ParseGap(records[i].payload).status()
                            : records[i].kind == RecordKind::kReconcile
                                ? payload::ParseReconcile(records[i].payload).status()
                                : payload::ParseNote(records[i].payload).status();
      CHECK(parsed.ok());
    }
    CHECK(frames_before[2] == 0);
    CHECK(frames_before[3] == n);
    CHECK(frames_before[4] == n);
    auto gap = payload::ParseGap(records[3].payload);
    REQUIRE(gap.ok());
    CHECK(gap->reason == "connected to ARI after: closed by Asterisk");
    CHECK(gap->since_us < gap->until_us);
    // The snapshot was taken after everything the gap skipped had happened.
    CHECK(records[4].event_time_us > FrameTime((*capture)[n + skipped - 1]));
  }
}

}  // namespace
}  // namespace callledger
