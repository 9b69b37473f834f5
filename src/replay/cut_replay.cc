#include "replay/cut_replay.h"

#include <fstream>

#include "ari/asterisk_info.h"
#include "ari/frame_record.h"
#include "ari/live_state.h"
#include "ari/restart_plan.h"
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
#include "replay/restarted_cel_log.h"
#include "store/memory_event_log.h"

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

// `text` with every `from` written as `to`.
std::string Renamed(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// What becomes of a frame in the run.
enum class Fate {
  kSent,    // the daemon receives it
  kHidden,  // a drop's gap: Asterisk's state takes it in, nobody receives it
  kGone,    // a restart took it away: it never happens
};

// Builds the run's records in order; one per simulated daemon. `cel_log`
// is the CEL file the run reads (the options' file, or its copy as a
// restarted Asterisk wrote it); the records name the options' file.
class Run {
 public:
  Run(const CutRunOptions& options, std::optional<payload::JsonText> asterisk_info,
      std::optional<std::filesystem::path> cel_log)
      : options_(options),
        asterisk_info_(std::move(asterisk_info)),
        cel_log_(std::move(cel_log)),
        windows_(std::nullopt) {}

  // The first connection of the run at `at_us`.
  Status Start(std::int64_t at_us, payload::NotePayload note) {
    note_ = std::move(note);
    records_.push_back(payload::NoteDraft(note_, "projector options at daemon start", at_us));
    return Connect(kDaemonStarted, 0, at_us);
  }

  // The daemon was killed and starts again, connecting at `at_us`: what it
  // kept in memory is gone (the open window, the CEL file it last read),
  // and its first window begins where the ledger says Asterisk was last
  // heard from (cel::LastHeardFromAsterisk, as the daemon's ingest).
  // `window_lost`: the kill came before the connection it cut recorded its
  // CEL window, whose records are taken back out.
  Status StartAfterKill(bool window_lost, std::int64_t at_us) {
    if (window_lost) {
      records_.erase(records_.begin() + static_cast<std::ptrdiff_t>(last_window_.first),
                     records_.begin() + static_cast<std::ptrdiff_t>(last_window_.second));
      result_.cel_records -= last_window_.second - last_window_.first;
    }
    last_window_ = {records_.size(), records_.size()};
    store::MemoryEventLog ledger("fixture");
    RETURN_IF_ERROR(ledger.Append(records_).status());
    ASSIGN_OR_RETURN(const std::optional<cel::HeardAt> heard, cel::LastHeardFromAsterisk(ledger));
    windows_ = cel::GapWindows(heard);
    cel_seen_.reset();
    ++result_.kills;
    return Start(at_us, note_);
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
    last_window_ = {records_.size(), records_.size()};
    if (window && cel_log_) RETURN_IF_ERROR(ReadCel(*window));
    last_window_.second = records_.size();
    return Status::Ok();
  }

  // Asterisk restarted: a new process with nothing live, answering
  // /ari/asterisk/info with `info` from now on.
  void Restart(payload::JsonText info) {
    asterisk_info_ = std::move(info);
    state_ = ari::LiveState();
  }

  // A frame: Asterisk's state takes it in unless it is gone, and its record,
  // `draft`, is appended when it is sent.
  void Frame(const std::string& bytes, RecordDraft draft, Fate fate) {
    if (fate == Fate::kGone) {
      ++result_.frames_gone;
      return;
    }
    state_.Apply(bytes);
    if (fate == Fate::kHidden) {
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
    ASSIGN_OR_RETURN(cel::CelFile file, cel::CelFile::Open(*cel_log_));
    ASSIGN_OR_RETURN(const cel::CelFileTail tail, file.Tail());
    if (!tail.ends_with_line_feed || !tail.last_time_us || *tail.last_time_us < range.until_us) {
      notes.push_back(cel::SettleRanOutNote(options_.cel_settle, tail.last_time_us));
    }
    cel::CelWindowOptions read;
    read.file = *cel_log_;
    const std::string read_name = cel_log_->string();
    const std::string name = options_.cel_file->string();
    const cel::CelWindowResult result =
        cel::ReadCelWindow(read, range.since_us, range.until_us, std::move(notes), &cel_seen_,
                           [&](payload::CelPayload part) {
                             // A restarted log is read from a copy; the records name the log.
                             part.file = name;
                             for (std::string& note : part.notes)
                               note = Renamed(std::move(note), read_name, name);
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
  payload::NotePayload note_;
  std::optional<payload::JsonText> asterisk_info_;
  std::optional<std::filesystem::path> cel_log_;
  cel::GapWindows windows_;
  std::optional<cel::CelFileIdentity> cel_seen_;
  ari::LiveState state_;
  std::vector<RecordDraft> records_;
  // [begin, end) in records_ of the last connection's cel records.
  std::pair<std::size_t, std::size_t> last_window_;
  CutRun result_;
};

// The restarts among the cuts, planned over the frames, with the
// /ari/asterisk/info of the process each one starts.
struct Restarts {
  ari::RestartPlan plan;
  std::vector<payload::JsonText> infos;
};

Result<Restarts> PlanRestarts(const std::vector<std::string>& frames,
                              const CutRunOptions& options) {
  std::vector<ari::Restart> wanted;
  for (const Cut& cut : options.cuts) {
    if (cut.kind == CutKind::kRestart) wanted.push_back({cut.after_frame, cut.down});
  }
  Restarts out;
  if (wanted.empty()) return out;
  const std::vector<std::string_view> bytes(frames.begin(), frames.end());
  ASSIGN_OR_RETURN(out.plan, ari::RestartPlan::Make(bytes, wanted));
  for (const Cut& cut : options.cuts) {
    if (cut.kind == CutKind::kDrop && out.plan.Gone(cut.after_frame)) {
      return InvalidInput(CutName(cut) + ": frame " + std::to_string(cut.after_frame) +
                          " is never sent after a restart before it; drop after a frame that is "
                          "sent");
    }
  }
  if (options.asterisk_info.empty()) {
    return InvalidInput(
        "a restart needs the Asterisk info (--asterisk-info): its gap tells the new process by "
        "its startup time");
  }
  for (const ari::PlannedRestart& r : out.plan.restarts()) {
    ASSIGN_OR_RETURN(const std::string body,
                     ari::RestartedAsteriskInfo(options.asterisk_info, r.started_us));
    ASSIGN_OR_RETURN(payload::JsonText info, payload::JsonText::Compact(body));
    out.infos.push_back(std::move(info));
  }
  return out;
}

// The first frame after `after` that the restarts leave (0: none).
std::uint64_t NextSent(const ari::RestartPlan& plan, std::uint64_t after, std::size_t frames) {
  for (std::uint64_t n = after + 1; n <= frames; ++n) {
    if (!plan.Gone(n)) return n;
  }
  return 0;
}

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
  ASSIGN_OR_RETURN(const Restarts restarts, PlanRestarts(frames, options));
  std::optional<RestartedCelLog> restarted_cel;
  std::optional<std::filesystem::path> cel_log = options.cel_file;
  if (options.cel_file && !restarts.plan.empty()) {
    ASSIGN_OR_RETURN(RestartedCelLog copy,
                     RestartedCelLog::Write(*options.cel_file, restarts.plan));
    restarted_cel.emplace(std::move(copy));
    cel_log = restarted_cel->path();
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

  Run run(options, std::move(info), std::move(cel_log));
  RETURN_IF_ERROR(run.Start(ConnectedAt(clock, options.lead_in), note));
  std::size_t next = 0;  // index of the next frame
  const auto play = [&](std::size_t end, Fate fate) {
    for (; next < end; ++next) {
      run.Frame(frames[next], std::move(drafts[next]),
                restarts.plan.Gone(next + 1) ? Fate::kGone : fate);
    }
  };
  std::size_t restarted = 0;  // restarts played so far
  for (const Cut& cut : options.cuts) {
    play(cut.after_frame, Fate::kSent);
    CutTimes times;
    if (cut.kind == CutKind::kRestart) {
      const ari::PlannedRestart& restart = restarts.plan.restarts()[restarted];
      run.Restart(restarts.infos[restarted++]);
      times = RestartTimesOf(restart.died_us, restart.started_us,
                             NextSent(restarts.plan, cut.after_frame, frames.size()), clock,
                             options.lead_in);
    } else {
      play(cut.after_frame + cut.gap, Fate::kHidden);
      times = TimesOf(cut, clock, options.lead_in);
    }
    if (cut.kind == CutKind::kKill) {
      RETURN_IF_ERROR(run.StartAfterKill(cut.window_lost, times.until_us));
    } else {
      RETURN_IF_ERROR(run.Connect(kClosedByServer, times.since_us, times.until_us));
    }
  }
  play(frames.size(), Fate::kSent);
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
