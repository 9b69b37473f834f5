// kProjectorVersion is tied to the golden output. fixtures/expected/
// PROJECTOR_VERSIONS lists `version sha256` lines, one per projector
// version, the newest last; the sha256 is that of every golden file's rows
// as the fixture runs produce them (GoldenOutput below), without the
// projector_version column, so a bump alone changes nothing. This test fails
// when rows changed without a bump, when kProjectorVersion is not the newest
// line's version, and when two versions have the same rows.
//
// The current hash: build/tests/projection_test "[projector_version]" -s
// (the comparison's expansion shows it).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "cel_captures.h"
#include "core/call_row.h"
#include "core/hex.h"
#include "projection/row_format.h"
#include "record/sha256.h"
#include "replay/fixture.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

namespace fs = std::filesystem;

const fs::path kVersionsFile = fs::path("fixtures") / "expected" / "PROJECTOR_VERSIONS";

// Every golden input: the captures (fixtures/asterisk, fixtures/asterisk-cel),
// the hand-made cases, the recorded reconnects; by path from the repository
// root, in byte order.
std::vector<fs::path> GoldenInputs() {
  std::vector<fs::path> out = testing::AllCapturedStreams();
  for (const auto& dir : {testing::SourceDir() / "fixtures" / "handmade", testing::RecordedDir()}) {
    for (auto& f : testing::JsonlFiles(dir)) out.push_back(std::move(f));
  }
  for (auto& p : out) p = fs::relative(p, testing::SourceDir());
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return a.generic_string() < b.generic_string();
  });
  return out;
}

// The golden rows of the cut runs (fixtures/expected/cuts), as their files
// hold them: cut_golden_test.cc checks that every run gives its file, byte
// for byte. The projector_version members are taken out.
std::string CutGoldenOutput() {
  const fs::path dir = testing::SourceDir() / "fixtures" / "expected" / "cuts";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().ends_with(".rows.json")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  const std::regex version(R"("projector_version":[0-9]+,?)");
  std::string out;
  for (const auto& f : files) {
    out += "== " + fs::relative(f, testing::SourceDir()).generic_string() + "\n";
    out += std::regex_replace(testing::ReadFile(f), version, "");
  }
  return out;
}

// Per input: its path, then per row `column=value` lines (all columns but
// projector_version, as RowFields writes them) and an empty line; then the
// cut runs' rows.
std::string GoldenOutput() {
  std::string out;
  for (const auto& input : GoldenInputs()) {
    auto result = replay::RunFixture(testing::SourceDir() / input, {});
    REQUIRE(result.ok());
    out += "== " + input.generic_string() + "\n";
    for (const auto& row : result->rows) {
      for (const auto& [column, value] : projection::RowFields(row)) {
        if (column != "projector_version") out += column + "=" + value + "\n";
      }
      out += "\n";
    }
  }
  return out + CutGoldenOutput();
}

struct VersionLine {
  int version = 0;
  std::string sha256;
};

std::vector<VersionLine> ReadVersions() {
  std::vector<VersionLine> lines;
  std::istringstream in(testing::ReadFile(testing::SourceDir() / kVersionsFile));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    VersionLine v;
    std::string rest;
    INFO(kVersionsFile.string() << ": the line \"" << line << "\" is not `VERSION SHA256`");
    REQUIRE(static_cast<bool>(fields >> v.version >> v.sha256));
    REQUIRE_FALSE(static_cast<bool>(fields >> rest));
    REQUIRE(v.sha256.size() == 64);
    REQUIRE(FromHex(v.sha256).has_value());
    lines.push_back(v);
  }
  return lines;
}

TEST_CASE("golden output is tied to kProjectorVersion", "[projector_version]") {
  const std::string current = ToHex(Sha256(GoldenOutput()));
  const std::vector<VersionLine> versions = ReadVersions();
  REQUIRE_FALSE(versions.empty());
  for (std::size_t i = 1; i < versions.size(); ++i) {
    INFO(kVersionsFile.string() << ": versions must go up by one, line after line");
    CHECK(versions[i].version == versions[i - 1].version + 1);
  }
  const VersionLine& newest = versions.back();

  // (c) A bump without a row change: two versions with the same rows.
  std::map<std::string, int> by_hash;
  for (const auto& v : versions) {
    const auto [it, fresh] = by_hash.emplace(v.sha256, v.version);
    INFO("versions " << it->second << " and " << v.version << " in " << kVersionsFile.string()
                     << " have the same golden rows: version " << v.version
                     << " changed no row. Either add a golden file that shows what the new "
                        "version changes (fixtures/handmade or fixtures/recorded), then "
                        "update that line's hash, or undo the bump.");
    CHECK(fresh);
  }

  // (b) kProjectorVersion is the newest line's version.
  {
    INFO("kProjectorVersion (src/core/call_row.h) is "
         << kProjectorVersion << " but the newest line of " << kVersionsFile.string()
         << " is version " << newest.version << ". A bump adds the line `" << kProjectorVersion
         << " " << current << "` (the hash of the golden rows now) at the end of that file.");
    CHECK(kProjectorVersion == newest.version);
  }

  // (a) Rows changed without a bump.
  INFO("The golden rows changed (their hash is now "
       << current << "; version " << newest.version << " had " << newest.sha256
       << "). If the change is meant: review it against the oracles, update the golden files "
          "(fixtures/README.md: ledger-replay fixture ... --update), set kProjectorVersion in "
          "src/core/call_row.h to "
       << newest.version + 1 << " and add the line `" << newest.version + 1 << " " << current
       << "` at the end of " << kVersionsFile.string()
       << ". If you only added or renamed a golden file (no existing file's rows changed, as "
          "the golden tests show), put this hash on version "
       << newest.version
       << "'s line instead. Otherwise a change broke a rule: the golden "
          "tests say which rows moved.");
  CHECK(current == newest.sha256);
}

}  // namespace
}  // namespace callledger
