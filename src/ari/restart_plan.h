// A PBX restart simulated in a recorded stream: which frames a restarted
// Asterisk never sends, and when it died and came back. ari-sim plays it
// (`--restart-at N --restart-down-ms D`) and `ledger-replay fixture`
// replays it in memory (replay/cut_replay.h), from this one plan, so the two
// agree frame for frame. Pure: a function of the frames and the restarts.
//
// A restart after frame N, down for D: the Asterisk process that sent
// frames 1..N is killed right after frame N and a new one starts D later.
// Times are on the stream's clock: T(i) is the latest ARI timestamp of
// frames 1..i (frames before the first stamped one take its time), as
// replay/cuts.h and ari-sim pace frames.
//
//   died_us       T(N): the last moment the old process was heard from
//   started_us    T(N) + D: the new process's startup time (what its
//                 /ari/asterisk/info says, asterisk_info.h)
//   down_through  K, the last frame with T(K) <= started_us (K >= N):
//                 frames N+1..K fall in the down time, when no Asterisk ran
//
// The old process takes its channels and bridges with it. Its names are
// everything frames 1..K name (frame_names.h), and everything tied to those
// by a later frame: a frame after K that names an old name and a new one
// (an agent entering an old call's bridge, a bridge created for an old
// call) ties the new one to the old process too, and so on, whatever the
// order of the frames (the names that frames after K name together form
// groups; a group with an old name is old). A frame after N is gone (never
// sent, and it changes nothing a client can see) when it lies in the down
// time or names any old name. Every other frame goes on as a fresh Asterisk
// would send it: frames that name only new channels, and those that name
// none (DeviceStateChanged).
//
// With several restarts (in increasing order), a frame is gone when any
// restart before it makes it gone.
//
// A value; thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace callledger::ari {

inline constexpr std::chrono::milliseconds kDefaultRestartDown{1000};

struct Restart {
  std::uint64_t after_frame = 0;                         // N (>= 1)
  std::chrono::milliseconds down = kDefaultRestartDown;  // D (>= 0)
};

struct PlannedRestart {
  Restart restart;
  std::int64_t died_us = 0;
  std::int64_t started_us = 0;
  std::uint64_t down_through = 0;
  // Every name of the old process (channel and bridge ids, Local channel
  // names), as described above.
  std::set<std::string, std::less<>> old_names;
};

class RestartPlan {
 public:
  // No restart: no frame is gone.
  RestartPlan() = default;

  // kInvalidInput, saying which restart and why, unless every N is >= 1 and
  // at most the number of frames, the restarts come in increasing order,
  // no D is negative, and no N is a frame an earlier restart makes gone
  // (its down time, or its old process's): the stream must get to frame N
  // to close after it. Also when no frame has a readable timestamp.
  static Result<RestartPlan> Make(const std::vector<std::string_view>& frames,
                                  const std::vector<Restart>& restarts);

  bool empty() const { return restarts_.empty(); }
  const std::vector<PlannedRestart>& restarts() const { return restarts_; }

  // True when frame `number` (1-based) is never sent.
  bool Gone(std::uint64_t number) const {
    return number >= 1 && number <= gone_.size() && gone_[number - 1];
  }
  std::uint64_t gone_count() const;

  // The restart right after frame `number`, or nullptr.
  const PlannedRestart* After(std::uint64_t number) const;

 private:
  std::vector<PlannedRestart> restarts_;
  std::vector<bool> gone_;  // by frame index; empty without restarts
};

// "--restart-at N" (with its down time when it is not the default), for
// messages.
std::string RestartName(const Restart& restart);

}  // namespace callledger::ari
