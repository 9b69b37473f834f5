// The recorded stream ari-sim plays, and where it stands. No I/O but loading.
//
// A stream is the lines of one or more fixture files, played one file after
// another as one sequence of frames numbered from 1. Each frame is sent byte
// for byte (the line without its line feed); blank lines are not frames.
//
// Pacing: frame i is due `offset(i)` after the stream started: the replay
// clock. Within one file, offset(i) = (T(i) - T(first)) / speed, where T(i)
// is the latest ARI `timestamp` of the file's frames up to i: a frame
// stamped earlier than one before it (real streams are not monotonic) is
// due together with the frame before it, and the clock loses nothing by it,
// so frames stay on the recorded time (and on the CEL lines' times,
// cel_lines.h) however many such steps a capture holds. A frame without a
// readable timestamp is due with the frame before it. Files follow one
// another: the gap from one file's latest stamp to the next file's first is
// capped at PacingOptions::max_file_gap (before dividing by speed). Offsets
// are rounded to the µs each on its own, so rounding does not add up.
// kFast makes every offset 0 (the sender then only waits for the client);
// kRate ignores the timestamps: frame i is due (i-1)/rate seconds after the
// start, i counted over the whole stream (frames skipped included).
//
// Drops: DropPoint{N, M} closes the connection after frame N has been sent
// and skips frames N+1..N+M: they are applied to the live state (Asterisk's
// state goes on while the client is away) but never sent. With a clock that
// waits for the client (the default), the gap's frames are applied at once
// and the stream goes on with frame N+M+1 for the next client. With
// ClockMode::kRealtime they stay in the stream, marked unsendable
// (next_unsendable()), and the server skips each when its time comes.
//
// Restarts (SimRestarts, ari/restart_plan.h): after frame N of a restart
// the connection closes as at a drop point, and the simulated Asterisk
// restarts: the live state is emptied (the old process's channels and
// bridges are gone), the frames the plan calls gone are never sent nor
// applied (next_unsendable(): the server skips each when its time comes),
// and restarted_info() is the new process's /ari/asterisk/info.
//
// Replay is the cursor over the frames plus the live state of everything
// produced so far. It is a plain object; the server drives it from one
// thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ari/live_state.h"
#include "ari/restart_plan.h"
#include "core/status.h"

namespace callledger::arisim {

struct StreamFrame {
  std::string bytes;                    // the line, without its line feed
  std::optional<std::int64_t> time_us;  // ARI `timestamp` as UTC µs, if readable
  std::size_t file_index = 0;           // which input file it came from
};

enum class PacingMode {
  kRecorded,  // gaps from the timestamps, divided by `speed`
  kFast,      // no waiting: as fast as the client reads
  kRate,      // a constant `rate` frames per second, timestamps ignored
};

// Whether the replay clock waits for a client (stream_clock.h).
enum class ClockMode {
  kWaitsForClient,  // the stream stands still while no client is subscribed
  kRealtime,        // the clock runs on; frames due meanwhile are never sent
};

struct PacingOptions {
  PacingMode mode = PacingMode::kRecorded;
  ClockMode clock = ClockMode::kWaitsForClient;
  double speed = 1.0;  // > 0; 10 plays ten times faster than recorded
  double rate = 1.0;   // > 0; frames per second, for kRate only
  // The longest pause between two files (before dividing by speed), so a
  // multi-file demo does not idle for the minutes between two captures.
  std::chrono::microseconds max_file_gap = std::chrono::seconds(1);
};

struct DropPoint {
  std::uint64_t after_frame = 0;  // N: close after sending frame N (>= 1)
  std::uint64_t gap = 0;          // M: frames N+1..N+M are never sent
};

// The restarts a stream plays (restarts.h makes them from the arguments):
// which frames a restarted Asterisk never sends, and its /ari/asterisk/info
// after each restart, in order.
struct SimRestarts {
  ari::RestartPlan plan;
  std::vector<std::string> asterisk_infos;  // one per plan.restarts()
};

// Reads the files in order. kInvalidInput when a file cannot be read or the
// files hold no frame at all.
Result<std::vector<StreamFrame>> LoadFrames(const std::vector<std::string>& files);

// Frames from in-memory lines (one frame per non-empty line), as LoadFrames
// would build them from a file with those lines.
std::vector<StreamFrame> FramesFromLines(const std::vector<std::string>& lines,
                                         std::size_t file_index = 0);

// `recorded_us` of recorded time on the replay clock at `speed` (> 0),
// rounded to the µs.
std::chrono::microseconds ScaleRecorded(std::int64_t recorded_us, double speed);

// When each frame is due, counted from the start of the stream (index 0:
// always 0), as described above.
std::vector<std::chrono::microseconds> ComputeOffsets(const std::vector<StreamFrame>& frames,
                                                      const PacingOptions& pacing);

// The delay before each frame: the differences of ComputeOffsets (index 0:
// before the first frame, always 0).
std::vector<std::chrono::microseconds> ComputeDelays(const std::vector<StreamFrame>& frames,
                                                     const PacingOptions& pacing);

// Checks options: speed > 0 (rate > 0 for kRate); kFast not with kRealtime
// (a stream that goes as fast as the client reads has no clock to run on);
// every N >= 1; drop points in increasing order, each after the previous
// one's gap (N > previous N + previous M).
Status ValidatePacing(const PacingOptions& pacing);
Status ValidateDrops(const std::vector<DropPoint>& drops);

class Replay {
 public:
  // `frames` must be non-empty; pacing, drops and restarts must be valid
  // (restarts.h checks them together).
  Replay(std::vector<StreamFrame> frames, const PacingOptions& pacing, std::vector<DropPoint> drops,
         SimRestarts restarts = {});

  std::size_t frame_count() const { return frames_.size(); }
  ClockMode clock() const { return clock_; }
  // True when every frame has been sent or skipped.
  bool done() const { return next_ >= frames_.size(); }
  // The next frame to send, numbered from 1. Only when !done().
  std::uint64_t next_number() const { return next_ + 1; }
  const StreamFrame& next_frame() const { return frames_[next_]; }
  // When the next frame is due, counted from the start of the stream.
  std::chrono::microseconds next_offset() const { return offsets_[next_]; }
  // True when the next frame must be skipped (SkipNext), never sent: it lies
  // in a drop's gap that realtime keeps in the stream, or a restart made it
  // gone.
  bool next_unsendable() const {
    return next_ + 1 <= unsendable_through_ || restarts_.plan.Gone(next_ + 1);
  }
  // The offset of the last frame sent or skipped (0 before any): how far the
  // stream has got on the replay clock.
  std::chrono::microseconds reached_offset() const {
    return next_ == 0 ? std::chrono::microseconds(0) : offsets_[next_ - 1];
  }
  const std::vector<std::chrono::microseconds>& offsets() const { return offsets_; }
  const std::vector<StreamFrame>& frames() const { return frames_; }

  // --restamp (restamp.h): moves the times in every frame by its capture's
  // shift (by file_index; the last shift for captures beyond). Only before
  // the first frame is applied, when the clock starts.
  void Restamp(const std::vector<std::int64_t>& shift_by_file);

  // Applies every frame up to and including the next one to the live state:
  // call it when the next frame is about to be sent (the PBX has produced
  // the event). Idempotent; a frame is applied once even if its send fails
  // and is retried.
  void ApplyNext();

  // What happened when a frame was marked sent.
  struct Sent {
    std::uint64_t number = 0;         // the frame just sent
    bool drop = false;                // close the connection now
    std::uint64_t first_skipped = 0;  // 1-based, when drop and the gap > 0
    std::uint64_t last_skipped = 0;   // inclusive; < first_skipped if none
    // A restart's (drop is set too): the new process started then. Points
    // into this Replay's plan: valid while it lives where it is.
    const ari::PlannedRestart* restart = nullptr;
  };
  // The next frame has been delivered: advance. On a drop point the gap's
  // frames are applied to the live state and skipped, or, in realtime,
  // marked unsendable, to be skipped in their time. On a restart's frame the
  // live state is emptied.
  [[nodiscard]] Sent MarkSent();

  // The next frame will never be sent (realtime: its time came while no
  // client was subscribed, or it lies in a drop's gap; or a restart made it
  // gone): apply it to the live state (unless it is gone) and advance. Only
  // when !done().
  void SkipNext();

  std::uint64_t frames_sent() const { return sent_; }
  std::uint64_t frames_skipped() const { return skipped_; }
  const ari::LiveState& state() const { return state_; }
  // The body of GET /ari/asterisk/info after the last restart so far;
  // nullptr before the first (the recorded body is served then).
  const std::string* restarted_info() const {
    return restarts_done_ == 0 ? nullptr : &restarts_.asterisk_infos[restarts_done_ - 1];
  }
  std::size_t restarts_done() const { return restarts_done_; }

  // The ARI `timestamp` text of the last frame applied (the first frame's
  // before any), for events ari-sim makes up such as ApplicationReplaced;
  // empty if that frame has none.
  std::string CurrentTimestampText() const;

 private:
  void ApplyThrough(std::size_t index);  // applies frames [applied_, index]

  std::vector<StreamFrame> frames_;
  std::vector<std::chrono::microseconds> offsets_;
  std::vector<DropPoint> drops_;
  ClockMode clock_;
  std::size_t next_drop_ = 0;
  std::uint64_t unsendable_through_ = 0;  // realtime: frames up to this number
  std::size_t next_ = 0;                  // index of the next frame to send
  std::size_t applied_ = 0;               // frames [0, applied_) are in state_
  std::uint64_t sent_ = 0;
  std::uint64_t skipped_ = 0;
  SimRestarts restarts_;
  std::size_t restarts_done_ = 0;
  ari::LiveState state_;
};

}  // namespace callledger::arisim
