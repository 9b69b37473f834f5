// The captures of fixtures/asterisk-cel (real Asterisk traffic with its CEL
// and CDR lines; its README) and where the golden rows of any capture live.
// Header-only, for the golden, oracle and version tests in tests/projection.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/fixtures.h"

namespace callledger::testing {

inline std::filesystem::path CelCaptureDir() { return SourceDir() / "fixtures" / "asterisk-cel"; }

// Every ARI stream of fixtures/asterisk-cel (*.call-center.jsonl and
// *.observer.jsonl; not the *.cel.jsonl lines), sorted.
inline std::vector<std::filesystem::path> CelCapturedStreams() {
  std::vector<std::filesystem::path> out;
  for (auto& f : JsonlFiles(CelCaptureDir())) {
    const std::string name = f.filename().string();
    if (name.ends_with(".call-center.jsonl") || name.ends_with(".observer.jsonl")) {
      out.push_back(std::move(f));
    }
  }
  return out;
}

// Both folders' streams: fixtures/asterisk's, then fixtures/asterisk-cel's.
inline std::vector<std::filesystem::path> AllCapturedStreams() {
  std::vector<std::filesystem::path> out = CapturedStreams();
  for (auto& f : CelCapturedStreams()) out.push_back(std::move(f));
  return out;
}

// The golden rows of a captured stream NAME.jsonl: fixtures/expected/
// NAME.rows.json for fixtures/asterisk, fixtures/expected/cel/NAME.rows.json
// for fixtures/asterisk-cel (the scenarios have the same names).
inline std::filesystem::path GoldenRowsOf(const std::filesystem::path& stream) {
  std::filesystem::path dir = SourceDir() / "fixtures" / "expected";
  if (stream.parent_path().filename() == "asterisk-cel") dir /= "cel";
  return dir / (stream.stem().string() + ".rows.json");
}

// The scenario's oracle: <scenario>.expected.json beside the stream.
inline std::filesystem::path OracleOf(const std::filesystem::path& stream) {
  const std::string name = stream.filename().string();
  return stream.parent_path() / (name.substr(0, name.find('.')) + ".expected.json");
}

}  // namespace callledger::testing
