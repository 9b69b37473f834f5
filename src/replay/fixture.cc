#include "replay/fixture.h"

#include <algorithm>

#include "payload/note.h"
#include "projection/record_projector.h"
#include "replay/cut_replay.h"
#include "replay/import.h"
#include "replay/record_export.h"
#include "store/memory_event_log.h"

namespace callledger::replay {
namespace {

// Each returns how many malformed records it appended.
Result<std::uint64_t> ImportAsItIs(const std::filesystem::path& file, const FixtureOptions& options,
                                   EventLog& log) {
  if (!options.projector_options.empty()) {
    ASSIGN_OR_RETURN(auto settings, payload::OptionsFromSettings(options.projector_options));
    const RecordDraft note =
        payload::NoteDraft({.projector_options = std::move(settings)}, "projector options", 0);
    RETURN_IF_ERROR(log.Append(std::span(&note, 1)).status());
  }
  ImportOptions import_options;
  // Fixture output never depends on the clock.
  import_options.clock = [] { return std::int64_t{0}; };
  ASSIGN_OR_RETURN(const ImportReport imported, ImportJsonl(file, log, import_options));
  const auto it = imported.by_kind.find("malformed");
  return it == imported.by_kind.end() ? 0 : it->second;
}

Result<std::uint64_t> Simulate(const std::filesystem::path& file, const FixtureOptions& options,
                               EventLog& log) {
  ASSIGN_OR_RETURN(const std::vector<std::string> frames, ReadCaptureFrames(file));
  CutRunOptions run_options;
  run_options.cuts = options.cuts;
  run_options.cel_file = options.cel_file;
  run_options.asterisk_info = options.asterisk_info;
  run_options.projector_options = options.projector_options;
  ASSIGN_OR_RETURN(const CutRun run, SimulateCutRun(frames, run_options));
  RETURN_IF_ERROR(log.Append(run.records).status());
  return static_cast<std::uint64_t>(
      std::count_if(run.records.begin(), run.records.end(),
                    [](const RecordDraft& r) { return r.kind == RecordKind::kMalformed; }));
}

}  // namespace

Result<FixtureResult> RunFixture(const std::filesystem::path& file, const FixtureOptions& options) {
  store::MemoryEventLog log(options.node);
  FixtureResult result;
  ASSIGN_OR_RETURN(result.malformed, options.simulated() ? Simulate(file, options, log)
                                                         : ImportAsItIs(file, options, log));
  result.records = log.Head().seq.value;
  if (options.keep_records) {
    ASSIGN_OR_RETURN(result.records_fixture, RecordsAsFixture(log));
  }
  ASSIGN_OR_RETURN(result.rows, projection::ProjectLedger(log));
  return result;
}

}  // namespace callledger::replay
