// The agreement rule of cut runs (issue 12): a run whose stream was cut,
// healed from Asterisk's CEL log, must give the rows of the same stream
// uncut. CompareRows says, one readable line per disagreement, where two
// sets of rows break that rule; no lines means they agree.
//
// The rule, column by column (docs/audit.md states it for operators):
//   - the same call_ids on both sides, each once;
//   - `first_seq`, `last_seq`: not compared (a cut run's ledger holds gap,
//     reconcile and cel records, so its positions differ);
//   - `evidence`: 'ari' in the uncut run; 'ari' or 'cel' in the cut run;
//   - on the rows the cut run marks 'cel' only: `start_time`,
//     `answer_time` and `end_time` within kCelTimeTolerance of the uncut
//     value (CEL stamps ANSWER, BRIDGE_EXIT and APP_END, not ARI's hangup
//     request or StasisEnd: on the captures they differ by less than 50 ms;
//     a call opened from CEL starts at its channel's CHAN_START, which
//     Asterisk writes when it announces the channel, up to 82 ms after the
//     creationtime ARI's snapshots carry on the overloaded capture), and
//     `duration`, `ring_seconds`, `talk_seconds` within kCelSecondsTolerance
//     (whole seconds of times that may differ by a few ms across a .5);
//     NULL on one side only is a disagreement;
//   - on 'ari' rows whose call channel's hangup request or StasisEnd the
//     cut hid (AgreementOptions::hidden_hangups): `end_time`, `duration`,
//     `ring_seconds`, `talk_seconds` within the same tolerances. The row
//     ends at the next sign of the hang-up ARI gave, when CEL has no
//     earlier one: a call not bridged has no CEL line at its hang-up, only
//     at its destruction (late under load, docs/projection.md);
//   - `recording_path`: equal, or NULL in the cut run when the cut hid the
//     RecordingStarted of that ARI recording (CEL never names an ARI
//     recording's file; a MixMonitor's it does): the caller names those
//     files in AgreementOptions::hidden_recordings;
//   - `agents_tried`: the cut row's legs are the uncut row's, in the same
//     order, each with the same endpoint, channel and rung_at, and the same
//     outcome unless the cut's is `unknown` (a gap hid it, and no CEL line
//     told it); a leg the uncut row lists may be missing from the cut row
//     (rung and ended inside a gap: docs/projection.md, "Agents");
//   - every other column, including any a later projector version adds:
//     exactly equal, as text.
//
// Rows are compared as the text of their columns (projection::RowFields),
// so rows read from a golden file and rows of a run compare alike. Pure
// functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/call_row.h"
#include "core/status.h"

namespace callledger::replay {

inline constexpr std::chrono::milliseconds kCelTimeTolerance{100};
inline constexpr std::int64_t kCelSecondsTolerance = 1;

// A row as its columns' text, in column order: (name, value), "null" for
// NULL, as projection::RowFields and RowsToJson write them.
using RowText = std::vector<std::pair<std::string, std::string>>;

RowText TextOf(const CallRow& row);
std::vector<RowText> TextOf(const std::vector<CallRow>& rows);

// The rows of a JSON array of row objects (a golden file, `ledger-replay
// fixture --format json`). kInvalidInput for anything else, or a row
// without a string call_id.
Result<std::vector<RowText>> RowTextsFromJson(std::string_view json);

struct AgreementOptions {
  // The recording_path values (as the uncut rows hold them) of the ARI
  // recordings whose RecordingStarted the cut hid (RecordingsStartedIn).
  std::set<std::string> hidden_recordings;
  // The channel ids whose ChannelHangupRequest or StasisEnd the cut hid
  // (HangupsHiddenIn).
  std::set<std::string> hidden_hangups;
};

// One line per disagreement, in the uncut rows' order, then the cut run's
// extra rows: "call ID: COLUMN: uncut X, cut Y (why)". Empty: they agree.
std::vector<std::string> CompareRows(const std::vector<RowText>& uncut,
                                     const std::vector<RowText>& cut,
                                     const AgreementOptions& options = {});
std::vector<std::string> CompareRows(const std::vector<CallRow>& uncut,
                                     const std::vector<CallRow>& cut,
                                     const AgreementOptions& options = {});

// The recording_path the projector gives the calls an ARI recording
// records, for each RecordingStarted among `frames`: recordings_dir/name.format
// (core/projector_events.cc, OnRecording). Frames that are not JSON, or are
// not RecordingStarted, are passed over.
std::set<std::string> RecordingsStartedIn(const std::vector<std::string>& frames,
                                          std::string_view recordings_dir);

// The channels of the ChannelHangupRequest and StasisEnd frames among
// `frames` (frames that are not JSON are passed over).
std::set<std::string> HangupsHiddenIn(const std::vector<std::string>& frames);

// The frames of a fixture file: its non-empty lines but the daemon record
// lines (a ledger's `ledger-audit export --all-kinds`). kInvalidInput if
// it cannot be read.
Result<std::vector<std::string>> ReadFixtureFrames(const std::string& path);

// The frames of `sent` (what the PBX played) that `held` (what a ledger
// recorded) does not hold, in `sent`'s order; a frame `sent` holds more
// often than `held` counts as many times more. They are the frames the
// cuts of a daemon's run hid, for AgreementOptions.
std::vector<std::string> FramesNotHeld(const std::vector<std::string>& sent,
                                       const std::vector<std::string>& held);

}  // namespace callledger::replay
