// Cuts in a captured stream, as ari-sim makes them (`--drop-at N --gap M`,
// repeatable): after frame N the connection closes and frames N+1..N+M are
// never sent, while Asterisk's state (ari-sim's REST answers) takes them in;
// the next connection gets frame N+M+1 onwards. Frames are the capture's
// non-empty lines, numbered from 1.
//
// A restart (`--restart-at N --restart-down-ms D`, CutKind::kRestart, with
// no gap) is a cut too: after frame N the connection closes and Asterisk
// restarts, D later; ari/restart_plan.h says which frames the new process
// never sends, and RestartTimesOf when the daemon reconnects to it.
//
// A kill (`ledger-replay fixture --kill-at N --kill-gap M`, CutKind::kKill)
// is the daemon's: call-ledgerd is killed (SIGKILL) right after it appended
// frame N; frames N+1..N+M play while it is down (Asterisk's state takes
// them in, as for a drop's gap), and it starts again and connects as a
// drop's reconnection would (TimesOf). With `window_lost`, the kill came
// while the connection it cut was still waiting for its CEL window, whose
// cel records therefore never reached the ledger.
//
// And when, on the capture's own clock, the daemon would have noticed each
// cut and reconnected (replay/cut_replay.h records these times). The clock
// is the ARI `timestamp` of the frames: T(i) is the latest timestamp of
// frames 1..i (a frame stamped earlier than one before it, or without a
// readable timestamp, does not move it back; frames before the first stamped
// one take its time), the same clock ari-sim paces frames by.
//
//   connected   T(1) - lead_in: the daemon's first connection, lead_in before
//               the first frame (ari-sim --lead-in-ms)
//   since       T(N): the last frame heard before the cut
//   until       the reconnection: lead_in before the next frame sent,
//               T(N+M+1) - lead_in, but never before T(N+M) + 1 ms (the
//               snapshot is taken after everything the gap hid had
//               happened, and ARI's stamps are cut to milliseconds); when
//               the gap runs to the end of the capture, T(N+M) + lead_in
//   (restart)   since T(N); until lead_in before the next frame the new
//               process sends, but never before it started (T(N) + D);
//               when it sends none, T(N) + D
//
// Pure functions of their arguments.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ari/restart_plan.h"

#include "core/status.h"

namespace callledger::replay {

enum class CutKind {
  kDrop,     // ari-sim --drop-at N --gap M
  kRestart,  // ari-sim --restart-at N --restart-down-ms D: Asterisk restarts
  kKill,     // --kill-at N --kill-gap M: the daemon is killed and restarts
};

struct Cut {
  std::uint64_t after_frame = 0;  // N: the connection closes after frame N (>= 1)
  std::uint64_t gap = 0;          // M: frames N+1..N+M are never sent (a restart: 0)
  CutKind kind = CutKind::kDrop;
  // A kill's: the connection it cut had not recorded its CEL window yet.
  bool window_lost = false;
  // A restart's down time D (ari/restart_plan.h).
  std::chrono::milliseconds down = ari::kDefaultRestartDown;

  friend bool operator==(const Cut&, const Cut&) = default;
};

// "--drop-at N --gap M", "--restart-at N [--restart-down-ms D]" or
// "--kill-at N --kill-gap M [--kill-before-cel]".
std::string CutName(const Cut& cut);

// ari-sim waits this long after a subscription before the next frame
// (fixtures/recorded was recorded with it): time for the REST snapshot.
inline constexpr std::chrono::milliseconds kDefaultLeadIn{300};

// kInvalidInput, saying which cut and why, unless every N >= 1, each cut
// comes after the previous one and its gap (N > previous N + previous M), and
// every cut lies inside the capture (N + M <= frames), and no restart has a
// gap. (What a restart takes away is the restart plan's to check.)
Status ValidateCuts(const std::vector<Cut>& cuts, std::uint64_t frames);

// The capture's clock: T(i) of each frame, from the frames' event times
// (µs, 0 when a frame has none). kInvalidInput when no frame has one.
Result<std::vector<std::int64_t>> StreamClock(const std::vector<std::int64_t>& event_times_us);

struct CutTimes {
  std::int64_t since_us = 0;
  std::int64_t until_us = 0;
};

// For a valid cut of a stream with clock `clock` (StreamClock).
CutTimes TimesOf(const Cut& cut, const std::vector<std::int64_t>& clock,
                 std::chrono::milliseconds lead_in);

// For a restart that died at `died_us` and started again at `started_us`:
// `next_sent` is the first frame after it that the new process sends (0:
// none).
CutTimes RestartTimesOf(std::int64_t died_us, std::int64_t started_us, std::uint64_t next_sent,
                        const std::vector<std::int64_t>& clock, std::chrono::milliseconds lead_in);

// When the daemon's first connection is made.
std::int64_t ConnectedAt(const std::vector<std::int64_t>& clock, std::chrono::milliseconds lead_in);

}  // namespace callledger::replay
