// `ledger-replay fixture`: a captured stream through the same import, parser
// and projector as the daemon, in memory (no PostgreSQL, no disk).
//
// Two ways to turn the file into records:
//   - as it is (the default): every line a record (import.h), daemon record
//     lines included. Projector options given here are appended as a `note`
//     record before them, exactly as the daemon records the options in
//     force (invariant 1).
//   - as a daemon would have recorded it, when `cuts` or `cel_file` is set:
//     the file must be a plain capture, and the records are those of a
//     simulated daemon run with those cuts and that CEL log
//     (cut_replay.h); the projector options go into its start note.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/call_row.h"
#include "core/status.h"
#include "replay/cuts.h"

namespace callledger::replay {

struct FixtureOptions {
  std::string node = "fixture";
  std::vector<std::pair<std::string, std::string>> projector_options;
  // A simulated daemon run (cut_replay.h): ari-sim's cuts (drops and
  // restarts), the capture's CEL log, and the body of GET /ari/asterisk/info
  // its gaps carry (may be empty, but not with a restart).
  std::vector<Cut> cuts;
  std::optional<std::filesystem::path> cel_file;
  std::string asterisk_info;
  // Keep the run's records as a fixture (FixtureResult::records_fixture).
  bool keep_records = false;

  bool simulated() const { return !cuts.empty() || cel_file.has_value(); }
};

struct FixtureResult {
  std::vector<CallRow> rows;  // sorted by start_time, call_id
  std::uint64_t records = 0;
  std::uint64_t malformed = 0;
  std::uint64_t skipped = 0;  // records the projector could not decode
  // With keep_records: every record appended, as record_export.h writes them.
  std::string records_fixture;
};

Result<FixtureResult> RunFixture(const std::filesystem::path& file, const FixtureOptions& options);

}  // namespace callledger::replay
