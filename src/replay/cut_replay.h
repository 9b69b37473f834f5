// A daemon's run over a captured stream, with cuts, replayed in memory: the
// records call-ledgerd would append if ari-sim played the capture and cut
// the connection where `cuts` say (replay/cuts.h), and, given the capture's
// CEL log, the `cel` records it would add after every gap. No daemon, no
// sockets, no clock: every time comes from the capture (cuts.h), so a run
// is a pure function of its inputs and can be kept as a golden file
// (`ledger-replay fixture --drop-at N --gap M --cel FILE --restart-at N`).
//
// The records, in the daemon's order:
//
//   1. its start: a `note` with the projector options (reason "projector
//      options at daemon start"), the first connection's `gap` ("connected to
//      ARI after: daemon started", since 0) and its `reconcile` (nothing live
//      yet), all at `connected` (cuts.h), and with CEL the first window's
//      `cel` records;
//   2. frames 1..N, each an `ari_event` (or `malformed`) record as the
//      daemon's ingest makes it, received at its T(i);
//   3. per cut: a `gap` ("connected to ARI after: closed by Asterisk", as
//      ari-sim closes the WebSocket; since and until as cuts.h says; with
//      the Asterisk info given); a `reconcile` at `until` whose bodies are
//      the /ari/channels and /ari/bridges answers after frames 1..N+M, from
//      the same fold ari-sim answers them with (ari/live_state.h); with CEL,
//      the `cel` records of the gap's window; then frames N+M+1 onwards,
//      up to the next cut.
//   4. per restart (CutKind::kRestart; ari/restart_plan.h): the same gap
//      ("closed by Asterisk", as ari-sim closes the WebSocket before it
//      restarts), but since T(N) and until the reconnection to the new
//      process (cuts.h's RestartTimesOf), carrying the new process's
//      /ari/asterisk/info (ari/asterisk_info.h: its startup time is
//      T(N) + D; every later gap carries it too); a `reconcile` holding
//      the new process's channels and bridges, which start from nothing:
//      ari-sim's answers after the restart (without --realtime nothing has
//      happened in the new process before the client reconnects, so they
//      are empty); with CEL the window's `cel` records, read from the CEL
//      log as the restarted Asterisk wrote it (restarted_cel_log.h); then
//      the frames after N that the new process sends, up to the next cut.
//      The frames the plan calls gone are neither sent nor applied.
//   5. per kill (CutKind::kKill): frames N+1..N+M hidden as in a drop's
//      gap; then the daemon's start again, as in 1., at the reconnection
//      (cuts.h's TimesOf), its first window reaching back to where the
//      ledger says Asterisk was last heard from (cel/gap_windows.h's
//      LastHeardFromAsterisk, over the records so far); with window_lost,
//      the cel records of the connection the kill cut are taken back out
//      first (the daemon was killed while it waited for them).
//
// The CEL windows are the daemon's own code (cel/gap_windows.h,
// cel/window_range.h, cel/cel_window.h) with its defaults: the window opens
// at the gap's `since` (at the start: at the connection), less cel.margin_ms,
// and closes at the reconcile; the lines are read from the capture's CEL
// file, complete, so no line is missed; a window whose end lies past the
// file's last line gets the daemon's note for a settle wait that ran out.
// A cel record's received_at_us is the window's end.
//
// Where a live daemon may differ: its times come from its own clock (a few
// ms after these), it may append frames that arrive while it waits for
// Asterisk's CEL lines (cel.settle_ms) before the cel records, and it may
// miss a CEL line Asterisk writes out of order after its read.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ari/frame_parser.h"
#include "cel/window_range.h"
#include "core/record.h"
#include "core/status.h"
#include "replay/cuts.h"

namespace callledger::replay {

struct CutRunOptions {
  std::vector<Cut> cuts;
  // The capture's CEL log (fixtures/asterisk-cel/<s>.cel.jsonl); none: no
  // cel records, as a daemon without cel.file.
  std::optional<std::filesystem::path> cel_file;
  // The body of GET /ari/asterisk/info for every gap (JSON); empty: the
  // gaps carry none (not allowed with a restart, whose gap tells the new
  // process by it).
  std::string asterisk_info;
  // KEY=VALUE projector options (call_app, recordings_dir) over the
  // projector's defaults, for the note.
  std::vector<std::pair<std::string, std::string>> projector_options;
  std::chrono::milliseconds lead_in = kDefaultLeadIn;
  std::chrono::milliseconds cel_margin = cel::kDefaultMargin;
  std::chrono::milliseconds cel_settle = cel::kDefaultSettle;
  ari::FrameLimits limits;
};

struct CutRun {
  std::vector<RecordDraft> records;
  std::uint64_t frames_sent = 0;    // frames in `records`
  std::uint64_t frames_hidden = 0;  // frames the cuts hid
  std::uint64_t frames_gone = 0;    // frames restarts took away (neither sent nor applied)
  std::uint64_t kills = 0;          // kills of the daemon (CutKind::kKill)
  std::uint64_t cel_records = 0;
  std::uint64_t cel_lines = 0;
};

// kInvalidInput for bad cuts (ValidateCuts, and a restart plan that refuses
// them: ari/restart_plan.h; a drop on a frame a restart took away), a
// capture without timestamps, an unknown projector option, Asterisk info
// that is not JSON (or, with a restart, missing or without a startup time),
// or a CEL file that cannot be read.
Result<CutRun> SimulateCutRun(const std::vector<std::string>& frames, const CutRunOptions& options);

// The frames of a plain capture: its non-empty lines, without line feeds.
// kInvalidInput for a file that holds daemon record lines (it was recorded
// through a daemon already: cut the capture it came from), or that cannot be
// imported (replay/import.h's CheckImportable).
Result<std::vector<std::string>> ReadCaptureFrames(const std::filesystem::path& file);

}  // namespace callledger::replay
