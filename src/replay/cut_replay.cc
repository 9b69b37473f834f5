#include "replay/cut_replay.h"

#include <fstream>

#include "ari/frame_record.h"
#include "ari/live_state.h"
#include "cel/cel_file.h"
#include "cel/cel_window.h"
#include "cel/gap_windows.h"
#include "core/projector.h"
#include "payload/cel.h"
#include "payload/gap.h"
#include "payload/json_text.h"
#include "payload/note.h"
#include "payload/reconcile.h"
#include "payload/record_line.h"
#include "replay/import.h"

namespace callledger::replay {
namespace {

// Why the daemon's connection ended when ari-sim cut it: a WebSocket close
// from the server (ari/client.cc).
constexpr std::string_view kClosedByServer = "closed by Asterisk";
constexpr std::string_view kDaemonStarted = "daemon started";

Result<payload::NotePayload> OptionsNote(const CutRunOptions& options) {
  ASSIGN_OR_RETURN(const payload::ProjectorOptionsNote given,
                   payload::OptionsFromSettings(options.projector_options));
  const ProjectorOptions defaults;
  payload::NotePayload note;
  note.projector_options =
      payload::ProjectorOptionsNote{given.call_app.value_or(defaults.call_app),
                                    given.recordings_dir.value_or(defaults.recordings_dir)};
  return note;
}

// Builds the run's records in order; one per simulated daemon.
class Run {
 public:
  Run(const CutRunOptions& options, std::optional<payload::JsonText> asterisk_info)
      : options_(options), asterisk_info_(std::move(asterisk_info)), windows_(std::nullopt) {}

  // The first connection of the run at `at_us`.
  Status Start(std::int64_t at_us, payload::NotePayload note) {
    records_.push_back(payload::NoteDraft(note, "projector options at daemon start", at_us));
    return Connect(kDaemonStarted, 0, at_us);
  }

  // A connection after the previous one ended for `why` at `since_us`
  // (0: the daemon just started): its gap, its reconcile, its CEL window.
  Status Connect(std::string_view why, std::int64_t since_us, std::int64_t until_us) {
    payload::GapPayload gap;
    gap.reason = payload::GapReasonConnected(why);
    gap.since_us = since_us;
    gap.until_us = until_us;
    gap.asterisk_info = asterisk_info_;
    records_.push_back(payload::GapDraft(gap));
    windows_.OnConnectionGap(since_us, until_us);

    ASSIGN_OR_RETURN(payload::JsonText channels,
                     payload::JsonText::Verbatim(state_.ChannelsJson()));
    ASSIGN_OR_RETURN(payload::JsonText bridges, payload::JsonText::Verbatim(state_.BridgesJson()));
    records_.push_back(
        payload::ReconcileDraft({std::move(channels), std::move(bridges)}, until_us));
    const std::optional<cel::GapWindow> window = windows_.OnSnapshot(until_us);
    if (window && options_.cel_file) return ReadCel(*window);
    return Status::Ok();
  }

  // A frame: Asterisk's state takes it in, and it is sent (its record,
  // `draft`, is appended) or hidden by a cut.
  void Frame(const std::string& bytes, RecordDraft draft, bool sent) {
    state_.Apply(bytes);
    if (!sent) {
      ++result_.frames_hidden;
      return;
    }
    records_.push_back(std::move(draft));
    ++result_.frames_sent;
  }

  CutRun Finish() && {
    result_.records = std::move(records_);
    return std::move(result_);
  }

 private:
  Status ReadCel(const cel::GapWindow& window) {
    const cel::WindowRange range = cel::RangeToRead(window, options_.cel_margin);
    std::vector<std::string> notes{range.origin_note};
    // The daemon waits up to cel.settle_ms for a line stamped at or after
    // the window's end. The file here is complete: if it has no such line,
    // none would have come, and the daemon's wait would have run out.
    ASSIGN_OR_RETURN(cel::CelFile file, cel::CelFile::Open(*options_.cel_file));
    ASSIGN_OR_RETURN(const cel::CelFileTail tail, file.Tail());
    if (!tail.ends_with_line_feed || !tail.last_time_us || *tail.last_time_us < range.until_us) {
      notes.push_back(cel::SettleRanOutNote(options_.cel_settle, tail.last_time_us));
    }
    cel::CelWindowOptions read;
    read.file = *options_.cel_file;
    const cel::CelWindowResult result =
        cel::ReadCelWindow(read, range.since_us, range.until_us, std::move(notes), &cel_seen_,
                           [&](payload::CelPayload part) {
                             records_.push_back(payload::CelDraft(part, range.until_us));
                             return true;
                           });
    if (result.read_errors > 0) {
      return Unavailable("reading " + options_.cel_file->string() + " failed");
    }
    result_.cel_records += result.records;
    result_.cel_lines += result.lines;
    return Status::Ok();
  }

  const CutRunOptions& options_;
  std::optional<payload::JsonText> asterisk_info_;
  cel::GapWindows windows_;
  std::optional<cel::CelFileIdentity> cel_seen_;
  ari::LiveState state_;
  std::vector<RecordDraft> records_;
  CutRun result_;
};

}  // namespace

Result<CutRun> SimulateCutRun(const std::vector<std::string>& frames,
                              const CutRunOptions& options) {
  RETURN_IF_ERROR(ValidateCuts(options.cuts, frames.size()));
  ASSIGN_OR_RETURN(const payload::NotePayload note, OptionsNote(options));
  std::optional<payload::JsonText> info;
  if (!options.asterisk_info.empty()) {
    auto compact = payload::JsonText::Compact(options.asterisk_info);
    if (!compact.ok()) {
      return InvalidInput("the Asterisk info is not JSON: " + compact.status().message());
    }
    info = std::move(*compact);
  }
  if (options.cel_file) {
    // A missing CEL file is a mistake in the arguments here, not a fact to
    // record as the daemon would.
    RETURN_IF_ERROR(cel::CelFile::Open(*options.cel_file).status());
  }

  // Every frame's record as the daemon's ingest makes it, and from their
  // event times the capture's clock; each is received at its T(i).
  ari::FrameParser parser(options.limits);
  std::vector<RecordDraft> drafts;
  std::vector<std::int64_t> event_times;
  drafts.reserve(frames.size());
  event_times.reserve(frames.size());
  for (const auto& frame : frames) {
    drafts.push_back(ari::DraftFromFrame(parser, frame, 0));
    event_times.push_back(drafts.back().event_time_us);
  }
  ASSIGN_OR_RETURN(const std::vector<std::int64_t> clock, StreamClock(event_times));
  for (std::size_t i = 0; i < drafts.size(); ++i) drafts[i].received_at_us = clock[i];

  Run run(options, std::move(info));
  RETURN_IF_ERROR(run.Start(ConnectedAt(clock, options.lead_in), note));
  std::size_t next = 0;  // index of the next frame
  const auto play = [&](std::size_t end, bool sent) {
    for (; next < end; ++next) run.Frame(frames[next], std::move(drafts[next]), sent);
  };
  for (const Cut& cut : options.cuts) {
    play(cut.after_frame, true);
    play(cut.after_frame + cut.gap, false);
    const CutTimes times = TimesOf(cut, clock, options.lead_in);
    RETURN_IF_ERROR(run.Connect(kClosedByServer, times.since_us, times.until_us));
  }
  play(frames.size(), true);
  return std::move(run).Finish();
}

Result<std::vector<std::string>> ReadCaptureFrames(const std::filesystem::path& file) {
  RETURN_IF_ERROR(CheckImportable(file, ImportOptions{}.max_line_bytes));
  std::ifstream in(file, std::ios::binary);
  if (!in) return InvalidInput("cannot read " + file.string());
  std::vector<std::string> frames;
  std::string line;
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    if (payload::IsRecordLine(line)) {
      return InvalidInput(file.string() + " line " + std::to_string(number) +
                          " is a daemon record: cuts are made in a plain capture (cut the "
                          "capture this file was recorded from)");
    }
    frames.push_back(std::move(line));
  }
  if (in.bad()) return Unavailable("error reading " + file.string());
  return frames;
}

}  // namespace callledger::replay
