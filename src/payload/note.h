// The `note` record: a fact the daemon or an operator states in the ledger.
// The one note the projector reads says which projector options are in
// force from that record on (DESIGN invariant 1): the daemon appends it at
// every start, before any frame of that run; `ledger-replay fixture
// --option` appends it before the fixture's records.
//
// The record: kind `note`, event_time_us = received_at_us = when it was
// written (0 in fixture runs), reason = what it says in words (the daemon:
// "projector options at daemon start").
//
// The payload, one JSON object written by JsonObjectWriter (json_writer.h):
//
//   projector_options  object  optional; the options below, in this order
//     call_app         string  optional; the Stasis application that marks a
//                              call (an empty value is ignored)
//     recordings_dir   string  optional; where ARI recordings are written
//
// e.g. {"projector_options":{"call_app":"call-center","recordings_dir":
// "/var/spool/asterisk/recording"}}. A note without `projector_options`
// changes nothing in the projection. ParseNote ignores other members (of the
// note and of `projector_options`), so a note may say more than this build
// reads; a known member of the wrong type is kInvalidInput, as is a payload
// that is not a JSON object. Strings are escaped as json_writer.h says;
// before this module a hand-written escaper wrote \u0008, \u0009, \u000a,
// \u000c and \u000d where Boost.JSON writes \b \t \n \f \r (same strings).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/record.h"
#include "core/status.h"

namespace callledger::payload {

struct ProjectorOptionsNote {
  std::optional<std::string> call_app;
  std::optional<std::string> recordings_dir;

  friend bool operator==(const ProjectorOptionsNote&, const ProjectorOptionsNote&) = default;
};

struct NotePayload {
  std::optional<ProjectorOptionsNote> projector_options;

  friend bool operator==(const NotePayload&, const NotePayload&) = default;
};

std::string EncodeNote(const NotePayload& note);
Result<NotePayload> ParseNote(std::string_view payload);
// The record, ready to append.
RecordDraft NoteDraft(const NotePayload& note, std::string reason, std::int64_t at_us);

// The options as the projector takes them (ProjectorInput::options), in the
// order of the table above.
std::vector<std::pair<std::string, std::string>> ProjectorSettings(
    const ProjectorOptionsNote& options);
// KEY=VALUE settings (as `ledger-replay fixture --option` gives them) into
// options; a later setting of the same key wins. kInvalidInput for a key
// that is not an option.
Result<ProjectorOptionsNote> OptionsFromSettings(
    const std::vector<std::pair<std::string, std::string>>& settings);

}  // namespace callledger::payload
