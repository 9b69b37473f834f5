// The cut runs kept as golden files: fixtures/expected/cuts/CUTS (its
// header says the format), one case per line, and how to run one.
// Header-only, for the golden tests in tests/projection.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "replay/fixture.h"
#include "support/fixtures.h"

namespace callledger::testing {

inline std::filesystem::path CutsDir() { return SourceDir() / "fixtures" / "expected" / "cuts"; }

struct CutCase {
  std::string name;
  std::filesystem::path stream;
  std::filesystem::path cel;  // empty: none
  std::vector<replay::Cut> cuts;
  std::string comment;  // what the cut hides
  std::filesystem::path golden() const { return CutsDir() / (name + ".rows.json"); }
};

// Every case of CUTS, in order; REQUIREs each line to be well formed.
inline std::vector<CutCase> CutCases() {
  std::vector<CutCase> out;
  const std::filesystem::path fixtures = SourceDir() / "fixtures";
  std::istringstream file(ReadFile(CutsDir() / "CUTS"));
  int number = 0;
  for (std::string line; std::getline(file, line);) {
    ++number;
    INFO("CUTS line " << number << ": " << line);
    const std::size_t hash = line.find('#');
    CutCase c;
    if (hash != std::string::npos) c.comment = line.substr(hash + 1);
    std::istringstream fields(line.substr(0, hash));
    std::string stream, cel;
    if (!(fields >> c.name)) continue;  // a comment or a blank line
    REQUIRE(static_cast<bool>(fields >> stream >> cel));
    c.stream = fixtures / stream;
    if (cel != "-") c.cel = fixtures / cel;
    // `N M` (a drop and its gap), `restart:N`, `kill:N:M` or
    // `kill-before-cel:N:M`.
    constexpr std::string_view kRestart = "restart:";
    constexpr std::string_view kKill = "kill:";
    constexpr std::string_view kKillBeforeCel = "kill-before-cel:";
    for (std::string token; fields >> token;) {
      replay::Cut cut;
      if (token.starts_with(kRestart)) {
        cut.kind = replay::CutKind::kRestart;
        cut.after_frame = std::stoull(token.substr(kRestart.size()));
      } else if (token.starts_with(kKill) || token.starts_with(kKillBeforeCel)) {
        cut.kind = replay::CutKind::kKill;
        cut.window_lost = token.starts_with(kKillBeforeCel);
        const std::string n_m = token.substr(token.find(':') + 1);
        const std::size_t colon = n_m.find(':');
        REQUIRE(colon != std::string::npos);
        cut.after_frame = std::stoull(n_m.substr(0, colon));
        cut.gap = std::stoull(n_m.substr(colon + 1));
      } else {
        cut.after_frame = std::stoull(token);
        REQUIRE(static_cast<bool>(fields >> cut.gap));
      }
      c.cuts.push_back(cut);
    }
    REQUIRE(fields.eof());
    // `ledger-replay fixture --kill-before-cel` is one flag for every kill.
    const auto lost = [](const replay::Cut& cut) { return cut.window_lost; };
    const auto kill = [](const replay::Cut& cut) { return cut.kind == replay::CutKind::kKill; };
    if (std::any_of(c.cuts.begin(), c.cuts.end(), lost)) {
      REQUIRE(std::all_of(c.cuts.begin(), c.cuts.end(),
                          [&](const replay::Cut& cut) { return !kill(cut) || lost(cut); }));
    }
    out.push_back(std::move(c));
  }
  return out;
}

// The Asterisk every case's gaps reconnect to (CUTS says why).
inline std::filesystem::path CutsAsteriskInfo() {
  return SourceDir() / "fixtures" / "asterisk-cel" / "a-inbound-answered.api-asterisk-info.json";
}

// The options `ledger-replay fixture` runs a case with (update.sh).
inline replay::FixtureOptions CutOptions(const CutCase& c) {
  replay::FixtureOptions options;
  options.cuts = c.cuts;
  if (!c.cel.empty()) options.cel_file = c.cel;
  options.asterisk_info = ReadFile(CutsAsteriskInfo());
  return options;
}

}  // namespace callledger::testing
