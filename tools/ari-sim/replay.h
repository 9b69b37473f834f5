// The recorded stream ari-sim plays, and where it stands. No I/O but loading.
//
// A stream is the lines of one or more fixture files, played one file after
// another as one sequence of frames numbered from 1. Each frame is sent byte
// for byte (the line without its line feed); blank lines are not frames.
//
// Pacing: frame i is due `offset(i)` after the stream started. Offsets add up
// the gaps between consecutive frames' ARI `timestamp`s; a negative gap
// (real streams are not monotonic) or a frame without a readable timestamp
// counts as 0, and the gap from one file's last frame to the next file's
// first is capped at PacingOptions::max_file_gap. `speed` divides every gap;
// kFast makes every offset 0 (the sender then only waits for the client);
// kRate ignores the timestamps: frame i is due (i-1)/rate seconds after the
// start, i counted over the whole stream (frames skipped by drops included).
//
// Drops: DropPoint{N, M} closes the connection after frame N has been sent
// and skips frames N+1..N+M: they are applied to the live state (Asterisk's
// state goes on while the client is away) but never sent. The stream goes on
// with frame N+M+1 for the next client.
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

#include "ari-sim/sim_state.h"
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

struct PacingOptions {
  PacingMode mode = PacingMode::kRecorded;
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

// Reads the files in order. kInvalidInput when a file cannot be read or the
// files hold no frame at all.
Result<std::vector<StreamFrame>> LoadFrames(const std::vector<std::string>& files);

// Frames from in-memory lines (one frame per non-empty line), as LoadFrames
// would build them from a file with those lines.
std::vector<StreamFrame> FramesFromLines(const std::vector<std::string>& lines,
                                         std::size_t file_index = 0);

// The delay before each frame (index 0: before the first frame, always 0).
std::vector<std::chrono::microseconds> ComputeDelays(const std::vector<StreamFrame>& frames,
                                                     const PacingOptions& pacing);

// When each frame is due, counted from the start of the stream (index 0:
// always 0). For kRate each offset is computed from its index (rounded to
// the µs, no drift); otherwise it is the running sum of ComputeDelays.
std::vector<std::chrono::microseconds> ComputeOffsets(const std::vector<StreamFrame>& frames,
                                                      const PacingOptions& pacing);

// Checks options: speed > 0 (rate > 0 for kRate); every N >= 1; drop points
// in increasing order, each after the previous one's gap (N > previous N +
// previous M).
Status ValidatePacing(const PacingOptions& pacing);
Status ValidateDrops(const std::vector<DropPoint>& drops);

class Replay {
 public:
  // `frames` must be non-empty; pacing and drops must be valid.
  Replay(std::vector<StreamFrame> frames, const PacingOptions& pacing,
         std::vector<DropPoint> drops);

  std::size_t frame_count() const { return frames_.size(); }
  // True when every frame has been sent or skipped.
  bool done() const { return next_ >= frames_.size(); }
  // The next frame to send, numbered from 1. Only when !done().
  std::uint64_t next_number() const { return next_ + 1; }
  const StreamFrame& next_frame() const { return frames_[next_]; }
  // When the next frame is due, counted from the start of the stream.
  std::chrono::microseconds next_offset() const { return offsets_[next_]; }

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
  };
  // The next frame has been delivered: advance. On a drop point the gap's
  // frames are applied to the live state and skipped.
  [[nodiscard]] Sent MarkSent();

  std::uint64_t frames_sent() const { return sent_; }
  std::uint64_t frames_skipped() const { return skipped_; }
  const LiveState& state() const { return state_; }

  // The ARI `timestamp` text of the last frame applied (the first frame's
  // before any), for events ari-sim makes up such as ApplicationReplaced;
  // empty if that frame has none.
  std::string CurrentTimestampText() const;

 private:
  void ApplyThrough(std::size_t index);  // applies frames [applied_, index]

  std::vector<StreamFrame> frames_;
  std::vector<std::chrono::microseconds> offsets_;
  std::vector<DropPoint> drops_;
  std::size_t next_drop_ = 0;
  std::size_t next_ = 0;     // index of the next frame to send
  std::size_t applied_ = 0;  // frames [0, applied_) are in state_
  std::uint64_t sent_ = 0;
  std::uint64_t skipped_ = 0;
  LiveState state_;
};

}  // namespace callledger::arisim
