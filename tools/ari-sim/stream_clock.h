// The replay clock of ari-sim's stream: what the pump (event_stream.h) does
// next, and when. Pure: the caller passes the time and what comes next, so
// tests drive it with made-up time points.
//
// The clock starts at the first subscription to the stream's app, plus the
// lead-in: frame i is due at start + offset(i) (replay.h), a CEL line at
// start + its offset (cel_lines.h). Then, by ClockMode:
//
// kWaitsForClient (the default): while frames are left and no client is
// subscribed, the stream stands still. When a client subscribes again, the
// next frame is due at its own time, and no earlier than the subscription
// plus the lead-in (the clock moves on by the time it stood still, as far
// as needed). Nothing is lost but a drop's gap, which Replay skips at once,
// and the frames a restart made gone (FrameCue::unsendable), each skipped
// when a client is there and its time has come, as if it were sent.
//
// kRealtime: the clock never stops once started, as a PBX's does not.
//   - A frame whose time comes while no client is subscribed, or that lies
//     in a drop's gap, is skipped at its time: applied to the live state,
//     never sent (Step::kSkip). So is a frame a restart made gone (which
//     Replay does not apply).
//   - A client gets the frames due from its subscription on, each at its
//     time; frames due before the subscription and not yet handled are
//     skipped.
//   - The lead-in: frames due in the first `lead_in` after a subscription
//     are held back, neither applied nor sent, and sent in order when the
//     lead-in ends; the frames after them keep their times. The client's
//     REST snapshot, taken during the lead-in, so describes exactly the
//     frames before the first it receives.
//   - A slow client gets frames late (one write in flight), never fewer.
//
// CEL lines, in both modes: a line is appended when every frame it follows
// (CelCue::after_frames) has been sent or skipped and the clock has reached
// its offset; it comes before the next frame when its offset is not later
// than that frame's. The clock's reading for lines never goes backward and
// is never behind the last frame handled: with kWaitsForClient it stands
// still with the stream, and it runs on after the last frame, client or not,
// until every line is written.
//
// Not thread-safe; the server's one thread uses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "ari-sim/replay.h"

namespace callledger::arisim {

using SteadyTime = std::chrono::steady_clock::time_point;

// The next frame of the stream.
struct FrameCue {
  std::uint64_t number = 0;             // 1-based
  std::chrono::microseconds offset{0};  // when it is due on the replay clock
  bool unsendable = false;              // realtime: in a drop's gap; gone by a restart
};

// The next CEL line to append.
struct LineCue {
  std::uint64_t after_frames = 0;       // frames 1..after_frames come first
  std::chrono::microseconds offset{0};  // when it is due on the replay clock
};

// What the pump knows when it asks for its next step.
struct StreamCues {
  bool subscribed = false;               // a client of the stream's app is there
  std::optional<FrameCue> frame;         // none once every frame is sent or skipped
  std::optional<LineCue> line;           // none once every CEL line is written
  std::chrono::microseconds reached{0};  // Replay::reached_offset()
};

struct StreamStep {
  enum class Kind {
    kSend,       // send the next frame now
    kSkip,       // skip the next frame now (realtime)
    kAppendCel,  // append the next CEL line now
    kWait,       // nothing to do before `until` (or before being woken)
  };
  Kind kind = Kind::kWait;
  SteadyTime until = SteadyTime::max();  // kWait only; max: until woken
};

// Realtime drops: the PBX is away (ari-sim refuses /ari/events
// subscriptions) from a drop until this offset on the replay clock, so that
// the client that comes back has missed exactly the drop's gap, as the cut
// runs of replay/cuts.h assume: until the gap's last frame (number
// `last_hidden`; the drop's own frame for a gap of 0) has happened, and
// until `lead_in` before the next frame is due (the lead-in then holds that
// frame for the client); when the gap runs to the end of the stream, until
// `lead_in` after its last frame. `offsets` are the frames' (Replay's).
std::chrono::microseconds AwayUntil(const std::vector<std::chrono::microseconds>& offsets,
                                    std::uint64_t last_hidden, std::chrono::milliseconds lead_in);

class StreamClock {
 public:
  StreamClock(ClockMode mode, std::chrono::milliseconds lead_in);

  // A client subscribed to the stream's app at `now`: the first one starts
  // the clock.
  void OnSubscribe(SteadyTime now);

  // The next step at `now`. Also moves the clock's own state on (pausing and
  // resuming with kWaitsForClient), so call it once per decision.
  StreamStep Next(SteadyTime now, const StreamCues& cues);

  bool started() const { return start_.has_value(); }
  // When offset 0 is (or was last set to be) due; only when started().
  SteadyTime start() const { return *start_; }

 private:
  // kWaitsForClient: stand still while frames are left and nobody listens,
  // and move the start on when the stream goes on.
  void UpdatePause(SteadyTime now, const StreamCues& cues);
  // How far the clock has got, for CEL lines (see above).
  std::chrono::microseconds Reading(SteadyTime now, std::chrono::microseconds reached);
  // When the reading reaches `offset` if nothing changes; max while paused.
  SteadyTime WhenReached(std::chrono::microseconds offset) const;
  StreamStep FrameStep(SteadyTime now, const StreamCues& cues) const;

  ClockMode mode_;
  std::chrono::microseconds lead_in_;
  std::optional<SteadyTime> start_;
  SteadyTime subscribed_at_{};           // realtime: the current client's subscription
  SteadyTime hold_until_{};              // realtime: the end of its lead-in
  bool paused_ = false;                  // kWaitsForClient only
  std::chrono::microseconds frozen_{0};  // the reading while paused
  std::chrono::microseconds high_{0};    // the highest reading so far
};

}  // namespace callledger::arisim
