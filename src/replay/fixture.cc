#include "replay/fixture.h"

#include "payload/note.h"
#include "projection/record_projector.h"
#include "replay/import.h"
#include "store/memory_event_log.h"

namespace callledger::replay {

Result<FixtureResult> RunFixture(const std::filesystem::path& file, const FixtureOptions& options) {
  store::MemoryEventLog log(options.node);
  if (!options.projector_options.empty()) {
    auto settings = payload::OptionsFromSettings(options.projector_options);
    if (!settings.ok()) return settings.status();
    const RecordDraft note =
        payload::NoteDraft({.projector_options = *settings}, "projector options", 0);
    if (auto r = log.Append(std::span(&note, 1)); !r.ok()) return r.status();
  }
  ImportOptions import_options;
  import_options.clock = [] {
    return std::int64_t{0};
  };  // fixture output never depends on the clock
  auto imported = ImportJsonl(file, log, import_options);
  if (!imported.ok()) return imported.status();

  FixtureResult result;
  result.records = log.Head().seq.value;
  if (auto it = imported->by_kind.find("malformed"); it != imported->by_kind.end())
    result.malformed = it->second;
  auto rows = projection::ProjectLedger(log);
  if (!rows.ok()) return rows.status();
  result.rows = std::move(rows.value());
  return result;
}

}  // namespace callledger::replay
