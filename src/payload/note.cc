#include "payload/note.h"

#include <boost/json.hpp>

#include "payload/json_writer.h"

namespace callledger::payload {
namespace json = boost::json;
namespace {

constexpr std::string_view kOptions = "projector_options";
constexpr std::string_view kCallApp = "call_app";
constexpr std::string_view kRecordingsDir = "recordings_dir";

Result<std::optional<std::string>> OptionalString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) {
    return InvalidInput("note payload: projector option \"" + std::string(key) +
                        "\" is not a string");
  }
  return std::optional<std::string>(std::string(v->as_string()));
}

}  // namespace

std::string EncodeNote(const NotePayload& note) {
  JsonObjectWriter w;
  if (note.projector_options) {
    JsonObjectWriter options;
    if (note.projector_options->call_app)
      options.String(kCallApp, *note.projector_options->call_app);
    if (note.projector_options->recordings_dir)
      options.String(kRecordingsDir, *note.projector_options->recordings_dir);
    w.Object(kOptions, std::move(options));
  }
  return w.Finish();
}

Result<NotePayload> ParseNote(std::string_view payload) {
  json::error_code ec;
  const json::value root = json::parse(payload, ec);
  if (ec) return InvalidInput("note body is not valid JSON: " + ec.message());
  if (!root.is_object()) return InvalidInput("note body is not a JSON object");
  NotePayload note;
  const json::value* options = root.as_object().if_contains(kOptions);
  if (options == nullptr) return note;
  if (!options->is_object())
    return InvalidInput("note payload: \"projector_options\" is not an object");
  ASSIGN_OR_RETURN(auto call_app, OptionalString(options->as_object(), kCallApp));
  ASSIGN_OR_RETURN(auto recordings_dir, OptionalString(options->as_object(), kRecordingsDir));
  note.projector_options = ProjectorOptionsNote{std::move(call_app), std::move(recordings_dir)};
  return note;
}

RecordDraft NoteDraft(const NotePayload& note, std::string reason, std::int64_t at_us) {
  RecordDraft d;
  d.kind = RecordKind::kNote;
  d.event_time_us = at_us;
  d.received_at_us = at_us;
  d.reason = std::move(reason);
  d.payload = EncodeNote(note);
  return d;
}

std::vector<std::pair<std::string, std::string>> ProjectorSettings(
    const ProjectorOptionsNote& options) {
  std::vector<std::pair<std::string, std::string>> out;
  if (options.call_app) out.emplace_back(kCallApp, *options.call_app);
  if (options.recordings_dir) out.emplace_back(kRecordingsDir, *options.recordings_dir);
  return out;
}

Result<ProjectorOptionsNote> OptionsFromSettings(
    const std::vector<std::pair<std::string, std::string>>& settings) {
  ProjectorOptionsNote options;
  for (const auto& [key, value] : settings) {
    if (key == kCallApp) {
      options.call_app = value;
    } else if (key == kRecordingsDir) {
      options.recordings_dir = value;
    } else {
      return InvalidInput("unknown projector option '" + key +
                          "' (known: call_app, recordings_dir)");
    }
  }
  return options;
}

}  // namespace callledger::payload
