// ari-sim's CEL output without sockets: reading a capture's CEL lines byte
// for byte, their eventtimes, when each is due on the replay clock and which
// frames it follows, and the writer that appends (and rotates) them.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ari-sim/cel_lines.h"
#include "ari-sim/cel_writer.h"
#include "ari-sim/replay.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::arisim {
namespace {

using callledger::testing::ReadFile;
using callledger::testing::SourceDir;
using callledger::testing::TempDir;
using callledger::testing::WriteFile;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::filesystem::path CelFixture(const std::string& name) {
  return SourceDir() / "fixtures" / "asterisk-cel" / name;
}

std::string CelAt(const std::string& eventtime) {
  return R"({"eventtype":"HANGUP","eventtime":")" + eventtime + R"(","uniqueid":"1.5"})";
}

std::string Stamped(const std::string& stamp) {
  return R"({"type":"Test","timestamp":")" + stamp + R"("})";
}

TEST_CASE("CEL eventtimes: seconds and up to six digits of µs, nothing else", "[ari-sim][cel]") {
  CHECK(ParseCelEventTime(CelAt("1796643893.391738")) == 1796643893391738);
  CHECK(ParseCelEventTime(CelAt("1796643888.5")) == 1796643888500000);
  CHECK(ParseCelEventTime(CelAt("1796643888")) == 1796643888000000);
  CHECK(ParseCelEventTime(R"({"eventtime":1796643888})") == 1796643888000000);
  for (const std::string& bad :
       {CelAt("1796643888.1234567"), CelAt("-1.5"), CelAt("1796643888."), CelAt(".5"),
        CelAt("2026-12-07 16:44:48"), CelAt(""), CelAt("123456789012.0"),
        std::string(R"({"eventtime":1.5})"), std::string(R"({"eventtype":"HANGUP"})"),
        std::string("not json"), std::string(), std::string(R"(["eventtime"])")}) {
    INFO(bad);
    CHECK_FALSE(ParseCelEventTime(bad).has_value());
  }
}

TEST_CASE("CEL lines are kept byte for byte, the last one with or without its line feed",
          "[ari-sim][cel]") {
  const auto lines = CelLinesFromText(CelAt("1.000001") + "\r\n\n" + "garbage", 3);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].bytes == CelAt("1.000001") + "\r");
  CHECK(lines[0].time_us == 1000001);  // JSON allows the \r as white space
  CHECK(lines[1].bytes.empty());
  CHECK_FALSE(lines[1].time_us.has_value());
  CHECK(lines[2].bytes == "garbage");
  CHECK(lines[2].file_index == 3);
  CHECK(CelLinesFromText("", 0).empty());
  CHECK(CelLinesFromText("a\n", 0).size() == 1);

  // A real capture: every line, each with its eventtime, and nothing else.
  const auto path = CelFixture("a-inbound-answered.cel.jsonl");
  auto load = LoadCelLines({"", path.string()});
  REQUIRE(load.ok());
  CHECK(load->without_time == 0);
  std::string joined;
  for (const auto& line : load->lines) {
    CHECK(line.file_index == 1);  // the empty path stood for capture 0
    CHECK(line.time_us.has_value());
    joined += line.bytes + "\n";
  }
  CHECK(load->lines.size() == 65);
  CHECK(joined == ReadFile(path));

  TempDir dir("ari-sim-cel-load");
  WriteFile(dir / "odd.cel.jsonl", CelAt("1.5") + "\nnot json\n" + CelAt("2.5") + "\n\n");
  auto odd = LoadCelLines({(dir / "odd.cel.jsonl").string()});
  REQUIRE(odd.ok());
  CHECK(odd->lines.size() == 4);
  CHECK(odd->without_time == 2);
  CHECK(odd->first_without_time == (dir / "odd.cel.jsonl").string() + " line 2");
  CHECK_FALSE(LoadCelLines({"/nonexistent/cel.jsonl"}).ok());
}

TEST_CASE("A real capture's CEL lines are due at their eventtime on the replay clock",
          "[ari-sim][cel]") {
  auto frames = LoadFrames({CelFixture("a-inbound-answered.observer.jsonl").string()});
  REQUIRE(frames.ok());
  auto load = LoadCelLines({CelFixture("a-inbound-answered.cel.jsonl").string()});
  REQUIRE(load.ok());
  PacingOptions twice;
  twice.speed = 2;
  const auto offsets = ComputeOffsets(*frames, twice);
  const auto cues = ScheduleCelLines(load->lines, *frames, offsets, twice);
  REQUIRE(cues.size() == load->lines.size());

  const std::int64_t first = *frames->front().time_us;
  std::int64_t latest = 0;  // the latest eventtime so far: lines go in file order
  std::size_t on_their_time = 0;
  for (std::size_t i = 0; i < cues.size(); ++i) {
    INFO("CEL line " << i + 1);
    const std::int64_t t = *load->lines[i].time_us;
    if (t >= latest) {
      // Exactly (t - first) / speed, as a frame stamped t would be.
      CHECK(cues[i].offset == ScaleRecorded(t - first, 2.0));
      ++on_their_time;
    }
    latest = std::max(latest, t);
    if (i > 0) {
      CHECK(cues[i].offset >= cues[i - 1].offset);
      CHECK(cues[i].after_frames >= cues[i - 1].after_frames);
    }
    // It follows exactly the frames before the first one stamped later.
    const std::size_t after = cues[i].after_frames;
    for (std::size_t k = 0; k < after; ++k) CHECK(*(*frames)[k].time_us <= latest);
    if (after < frames->size()) CHECK(*(*frames)[after].time_us > latest);
    if (after > 0) CHECK(cues[i].offset >= offsets[after - 1]);
    if (after < frames->size()) CHECK(cues[i].offset <= offsets[after]);
  }
  CHECK(on_their_time >= 60);
}

TEST_CASE("CEL lines stay with their capture, and other clocks put them after their frames",
          "[ari-sim][cel]") {
  // Two captures 100 s apart (the pause is capped at 1 s).
  auto frames = FramesFromLines(
      {Stamped("1970-01-01T00:00:10.000Z"), Stamped("1970-01-01T00:00:11.000Z")}, 0);
  for (auto& frame : FramesFromLines(
           {Stamped("1970-01-01T00:01:50.000Z"), Stamped("1970-01-01T00:01:51.000Z")}, 1)) {
    frames.push_back(std::move(frame));
  }
  std::vector<CelLine> lines;
  for (auto& line : CelLinesFromText(CelAt("10.5") + "\n" + CelAt("13") + "\n", 0)) {
    lines.push_back(std::move(line));
  }
  for (auto& line : CelLinesFromText(CelAt("109") + "\n" + CelAt("110.5") + "\nnot json\n", 1)) {
    lines.push_back(std::move(line));
  }
  PacingOptions recorded;
  const auto offsets = ComputeOffsets(frames, recorded);
  REQUIRE(offsets == std::vector<microseconds>{seconds(0), seconds(1), seconds(2), seconds(3)});
  const auto cues = ScheduleCelLines(lines, frames, offsets, recorded);
  REQUIRE(cues.size() == 5);
  CHECK(cues[0].after_frames == 1);
  CHECK(cues[0].offset == milliseconds(500));
  // 2 s after its capture's last frame, but before the next capture starts.
  CHECK(cues[1].after_frames == 2);
  CHECK(cues[1].offset == seconds(2));
  // Before its capture's first frame: not before the previous capture's lines.
  CHECK(cues[2].after_frames == 2);
  CHECK(cues[2].offset == seconds(2));
  CHECK(cues[3].after_frames == 3);
  CHECK(cues[3].offset == milliseconds(2500));
  // No eventtime: with the line before it.
  CHECK(cues[4].after_frames == 3);
  CHECK(cues[4].offset == milliseconds(2500));

  PacingOptions rate;
  rate.mode = PacingMode::kRate;
  rate.rate = 10;
  const auto rate_offsets = ComputeOffsets(frames, rate);
  const auto rate_cues = ScheduleCelLines(lines, frames, rate_offsets, rate);
  CHECK(rate_cues[0].offset == milliseconds(0));  // with frame 1
  CHECK(rate_cues[1].offset == milliseconds(100));
  CHECK(rate_cues[3].offset == milliseconds(200));
  PacingOptions fast;
  fast.mode = PacingMode::kFast;
  const auto fast_cues = ScheduleCelLines(lines, frames, ComputeOffsets(frames, fast), fast);
  CHECK(fast_cues[3].after_frames == 3);
  CHECK(fast_cues[3].offset == microseconds(0));

  // A first line without an eventtime is due at the start.
  const auto unreadable = CelLinesFromText("garbage\n" + CelAt("10.5"), 0);
  const auto first_cues = ScheduleCelLines(unreadable, frames, offsets, recorded);
  CHECK(first_cues[0].after_frames == 0);
  CHECK(first_cues[0].offset == microseconds(0));
}

TEST_CASE("The CEL writer appends whole lines, creates the file anew and rotates",
          "[ari-sim][cel]") {
  TempDir dir("ari-sim-cel-writer");
  const std::string path = (dir / "cel.jsonl").string();
  WriteFile(path, "kept\n");  // an existing log is appended to
  auto writer = CelWriter::Open({path, {3, 5}});
  REQUIRE(writer.ok());
  CHECK(writer->Append("one").ok());
  CHECK(ReadFile(path) == "kept\none\n");
  // Removed meanwhile: the next line creates it, as cel_custom would.
  std::filesystem::remove(path);
  CHECK(writer->Append("two").ok());
  CHECK(ReadFile(path) == "two\n");
  CHECK(writer->Append("three").ok());  // the 3rd line: rotation
  CHECK(ReadFile(path + ".1") == "two\nthree\n");
  CHECK(std::filesystem::exists(path));
  CHECK(ReadFile(path).empty());
  CHECK(writer->Append("four").ok());
  CHECK(writer->Append("five").ok());  // the 5th: PATH.1 is replaced
  CHECK(writer->Append("six").ok());
  CHECK(ReadFile(path + ".1") == "four\nfive\n");
  CHECK(ReadFile(path) == "six\n");
  CHECK(writer->lines_appended() == 6);
  CHECK(writer->rotations() == 2);

  CHECK_FALSE(CelWriter::Open({(dir / "missing" / "cel.jsonl").string(), {}}).ok());
  CHECK_FALSE(CelWriter::Open({path, {0}}).ok());
  CHECK_FALSE(CelWriter::Open({path, {4, 4}}).ok());
  // A line that cannot be written is lost, and says so.
  auto lost = CelWriter::Open({(dir / "sub" / "cel.jsonl").string(), {}});
  CHECK_FALSE(lost.ok());
  std::filesystem::create_directory(dir / "sub");
  lost = CelWriter::Open({(dir / "sub" / "cel.jsonl").string(), {}});
  REQUIRE(lost.ok());
  std::filesystem::remove_all(dir / "sub");
  const Status failed = lost->Append("x");
  CHECK(failed.code() == Code::kUnavailable);
  CHECK(lost->lines_appended() == 0);
}

}  // namespace
}  // namespace callledger::arisim
