// `ledger-replay fixture`: a captured stream through the same import, parser
// and projector as the daemon, in memory (no PostgreSQL, no disk).
//
// Projector options given here are appended as a `note` record before the
// frames, exactly as the daemon records the options in force (invariant 1).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/call_row.h"
#include "core/status.h"

namespace callledger::replay {

struct FixtureOptions {
  std::string node = "fixture";
  std::vector<std::pair<std::string, std::string>> projector_options;
};

struct FixtureResult {
  std::vector<CallRow> rows;  // sorted by start_time, call_id
  std::uint64_t records = 0;
  std::uint64_t malformed = 0;
  std::uint64_t skipped = 0;  // records the projector could not decode
};

Result<FixtureResult> RunFixture(const std::filesystem::path& file, const FixtureOptions& options);

}  // namespace callledger::replay
