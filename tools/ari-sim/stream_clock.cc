#include "ari-sim/stream_clock.h"

#include <algorithm>

namespace callledger::arisim {
using std::chrono::microseconds;

namespace {

StreamStep Now(StreamStep::Kind kind) { return StreamStep{kind, SteadyTime::max()}; }
StreamStep WaitUntil(SteadyTime until) { return StreamStep{StreamStep::Kind::kWait, until}; }

}  // namespace

microseconds AwayUntil(const std::vector<microseconds>& offsets, std::uint64_t last_hidden,
                       std::chrono::milliseconds lead_in) {
  if (offsets.empty() || last_hidden == 0) return microseconds(0);
  const std::size_t last = std::min<std::size_t>(last_hidden, offsets.size()) - 1;
  if (last + 1 >= offsets.size()) return offsets[last] + lead_in;
  return std::max(offsets[last], offsets[last + 1] - lead_in);
}

StreamClock::StreamClock(ClockMode mode, std::chrono::milliseconds lead_in)
    : mode_(mode), lead_in_(lead_in) {}

void StreamClock::OnSubscribe(SteadyTime now) {
  if (!start_) start_ = now + lead_in_;
  subscribed_at_ = now;
  hold_until_ = now + lead_in_;
}

StreamStep StreamClock::Next(SteadyTime now, const StreamCues& cues) {
  if (!start_) return WaitUntil(SteadyTime::max());
  if (mode_ == ClockMode::kWaitsForClient) UpdatePause(now, cues);
  const microseconds reading = Reading(now, cues.reached);

  // A line goes before the next frame when it follows none of the frames
  // still to come and is due no later than that frame.
  const bool line_first =
      cues.line && (!cues.frame || (cues.line->after_frames < cues.frame->number &&
                                    cues.line->offset <= cues.frame->offset));
  if (line_first) {
    if (reading >= cues.line->offset) return Now(StreamStep::Kind::kAppendCel);
    return WaitUntil(WhenReached(cues.line->offset));
  }
  if (!cues.frame) return WaitUntil(SteadyTime::max());
  return FrameStep(now, cues);
}

StreamStep StreamClock::FrameStep(SteadyTime now, const StreamCues& cues) const {
  const FrameCue& frame = *cues.frame;
  const SteadyTime due = *start_ + frame.offset;
  if (mode_ == ClockMode::kRealtime) {
    const bool for_client = cues.subscribed && !frame.unsendable && due >= subscribed_at_;
    if (!for_client) {
      if (now < due) return WaitUntil(due);
      return Now(StreamStep::Kind::kSkip);
    }
    const SteadyTime when = std::max(due, hold_until_);
    if (now < when) return WaitUntil(when);
    return Now(StreamStep::Kind::kSend);
  }
  // Replay skips a drop's gap at once with this clock, so an unsendable
  // frame here is one a restart made gone: it waits for a client and its
  // time like any frame, and is then skipped, so that the frames and CEL
  // lines after it keep their times.
  if (!cues.subscribed) return WaitUntil(SteadyTime::max());
  if (now < due) return WaitUntil(due);
  return Now(frame.unsendable ? StreamStep::Kind::kSkip : StreamStep::Kind::kSend);
}

void StreamClock::UpdatePause(SteadyTime now, const StreamCues& cues) {
  const bool waiting = cues.frame.has_value() && !cues.subscribed;
  if (waiting == paused_) return;
  if (waiting) {
    frozen_ = Reading(now, cues.reached);
    paused_ = true;
    return;
  }
  paused_ = false;
  if (cues.frame) {
    // The next frame keeps its time, and comes no earlier than the lead-in
    // after the subscription that ended the pause.
    start_ = std::max(*start_, now + lead_in_ - cues.frame->offset);
  } else {
    // No frame is left (a pause ends with a subscription in practice, as
    // only sending ends the stream here): the clock goes on from where it
    // stood, for the CEL lines left.
    start_ = std::max(*start_, now - frozen_);
  }
}

microseconds StreamClock::Reading(SteadyTime now, microseconds reached) {
  const microseconds raw =
      paused_ ? frozen_ : std::chrono::duration_cast<microseconds>(now - *start_);
  high_ = std::max({high_, raw, reached});
  return high_;
}

SteadyTime StreamClock::WhenReached(microseconds offset) const {
  if (paused_) return SteadyTime::max();
  return *start_ + offset;
}

}  // namespace callledger::arisim
