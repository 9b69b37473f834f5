#include "replay/fixture.h"

#include "payload/note.h"
#include "projection/record_projector.h"
#include "replay/import.h"
#include "store/memory_event_log.h"

namespace callledger::replay {

Result<FixtureResult> RunFixture(const std::filesystem::path& file, const FixtureOptions& options) {
  store::MemoryEventLog log(options.node);
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

  FixtureResult result;
  result.records = log.Head().seq.value;
  if (auto it = imported.by_kind.find("malformed"); it != imported.by_kind.end())
    result.malformed = it->second;
  ASSIGN_OR_RETURN(result.rows, projection::ProjectLedger(log));
  return result;
}

}  // namespace callledger::replay
