#include "cut_runs.h"

#include <catch2/catch.hpp>

#include <algorithm>

#include "ari/timestamp.h"
#include "support/fixtures.h"

namespace callledger::testing {

std::filesystem::path CelFixture(const std::string& name) {
  return SourceDir() / "fixtures" / "asterisk-cel" / name;
}

std::filesystem::path CelLog(const std::string& scenario) {
  return CelFixture(scenario + ".cel.jsonl");
}

std::vector<std::string> CaptureFrames(const std::filesystem::path& stream) {
  std::vector<std::string> frames;
  for (auto& line : ReadLines(stream)) {
    if (!line.empty()) frames.push_back(std::move(line));
  }
  return frames;
}

replay::CutRun RunCuts(const std::string& stream, std::vector<replay::Cut> cuts, bool with_cel) {
  replay::CutRunOptions options;
  options.cuts = std::move(cuts);
  if (with_cel) options.cel_file = CelLog(stream.substr(0, stream.find('.')));
  auto run = replay::SimulateCutRun(CaptureFrames(CelFixture(stream)), options);
  INFO(stream << ": " << run.status().ToString());
  REQUIRE(run.ok());
  return std::move(*run);
}

std::string KindsInOrder(const std::vector<RecordDraft>& records) {
  std::string out;
  for (std::size_t i = 0; i < records.size();) {
    std::size_t j = i;
    while (j < records.size() && records[j].kind == records[i].kind) ++j;
    const std::string kind(RecordKindName(records[i].kind));
    out += (out.empty() ? "" : " ") + kind;
    // Runs of daemon records stay visible one by one; frames are counted.
    if (records[i].kind == RecordKind::kAriEvent) {
      out += "*" + std::to_string(j - i);
    } else {
      for (std::size_t k = i + 1; k < j; ++k) out += " " + kind;
    }
    i = j;
  }
  return out;
}

std::vector<RecordDraft> OfKind(const std::vector<RecordDraft>& records, RecordKind kind) {
  std::vector<RecordDraft> out;
  std::copy_if(records.begin(), records.end(), std::back_inserter(out),
               [&](const RecordDraft& r) { return r.kind == kind; });
  return out;
}

std::vector<std::int64_t> LatestTimestamps(const std::vector<std::string>& frames) {
  constexpr std::string_view kKey = "\"timestamp\":\"";
  std::vector<std::int64_t> out;
  std::int64_t latest = 0;
  for (const auto& frame : frames) {
    const auto at = frame.find(kKey);
    REQUIRE(at != std::string::npos);
    const auto end = frame.find('"', at + kKey.size());
    const auto t = ari::ParseAriTimestamp(frame.substr(at + kKey.size(), end - at - kKey.size()));
    REQUIRE(t.has_value());
    latest = std::max(latest, *t);
    out.push_back(latest);
  }
  return out;
}

std::int64_t EventTimeOf(const std::string& cel_line) {
  constexpr std::string_view kKey = "\"eventtime\":\"";
  const auto at = cel_line.find(kKey);
  REQUIRE(at != std::string::npos);
  const auto dot = cel_line.find('.', at);
  const auto end = cel_line.find('"', at + kKey.size());
  REQUIRE(end - dot == 7);  // six digits of microseconds
  const std::string seconds = cel_line.substr(at + kKey.size(), dot - at - kKey.size());
  const std::string micros = cel_line.substr(dot + 1, 6);
  return std::stoll(seconds) * 1'000'000 + std::stoll(micros);
}

}  // namespace callledger::testing
