#include "replay/cuts.h"

#include <algorithm>
#include <string>

namespace callledger::replay {
namespace {

std::int64_t Micros(std::chrono::milliseconds ms) {
  return std::chrono::duration_cast<std::chrono::microseconds>(ms).count();
}

}  // namespace

std::string CutName(const Cut& cut) {
  if (cut.kind == CutKind::kRestart) return ari::RestartName({cut.after_frame, cut.down});
  if (cut.kind == CutKind::kKill) {
    return "--kill-at " + std::to_string(cut.after_frame) + " --kill-gap " +
           std::to_string(cut.gap) + (cut.window_lost ? " --kill-before-cel" : "");
  }
  return "--drop-at " + std::to_string(cut.after_frame) + " --gap " + std::to_string(cut.gap);
}

Status ValidateCuts(const std::vector<Cut>& cuts, std::uint64_t frames) {
  std::uint64_t end_of_previous = 0;  // the frame number where the previous gap ends
  for (const Cut& cut : cuts) {
    const std::string name = CutName(cut);
    if (cut.kind == CutKind::kRestart && cut.gap != 0) {
      return InvalidInput(name + ": a restart has no gap (its frames are the restart plan's)");
    }
    if (cut.after_frame < 1) {
      const char* option = cut.kind == CutKind::kRestart ? ": --restart-at"
                           : cut.kind == CutKind::kKill  ? ": --kill-at"
                                                         : ": --drop-at";
      return InvalidInput(name + option + " counts frames from 1");
    }
    if (cut.window_lost && cut.kind != CutKind::kKill) {
      return InvalidInput(name + ": only a kill can lose a CEL window");
    }
    if (cut.after_frame <= end_of_previous) {
      return InvalidInput(name + ": must come after the previous cut and its gap (frame " +
                          std::to_string(end_of_previous) + ")");
    }
    if (cut.after_frame > frames) {
      return InvalidInput(name + ": the capture has only " + std::to_string(frames) + " frames");
    }
    if (cut.gap > frames - cut.after_frame) {
      return InvalidInput(name + ": the gap runs past the last frame (" + std::to_string(frames) +
                          "); at most --gap " + std::to_string(frames - cut.after_frame) +
                          " after frame " + std::to_string(cut.after_frame));
    }
    end_of_previous = cut.after_frame + cut.gap;
  }
  return Status::Ok();
}

Result<std::vector<std::int64_t>> StreamClock(const std::vector<std::int64_t>& event_times_us) {
  const auto first = std::find_if(event_times_us.begin(), event_times_us.end(),
                                  [](std::int64_t t) { return t != 0; });
  if (first == event_times_us.end()) {
    return InvalidInput("no frame of the capture has a readable ARI timestamp to time cuts by");
  }
  std::vector<std::int64_t> clock;
  clock.reserve(event_times_us.size());
  std::int64_t latest = *first;
  for (const std::int64_t t : event_times_us) {
    latest = std::max(latest, t);
    clock.push_back(latest);
  }
  return clock;
}

namespace {
constexpr std::int64_t kStampResolution = 1000;  // µs: ARI's timestamps have milliseconds
}  // namespace

CutTimes TimesOf(const Cut& cut, const std::vector<std::int64_t>& clock,
                 std::chrono::milliseconds lead_in) {
  // Frame i (from 1) is clock[i - 1].
  const std::uint64_t last_hidden = cut.after_frame + cut.gap;
  CutTimes times;
  times.since_us = clock[cut.after_frame - 1];
  if (last_hidden < clock.size()) {
    // ARI cuts its stamps to milliseconds: what frame N+M shows happened
    // before the next millisecond began, and the snapshot was taken after.
    times.until_us =
        std::max(clock[last_hidden] - Micros(lead_in), clock[last_hidden - 1] + kStampResolution);
  } else {
    times.until_us = clock[last_hidden - 1] + Micros(lead_in);
  }
  return times;
}

CutTimes RestartTimesOf(std::int64_t died_us, std::int64_t started_us, std::uint64_t next_sent,
                        const std::vector<std::int64_t>& clock, std::chrono::milliseconds lead_in) {
  CutTimes times;
  times.since_us = died_us;
  times.until_us = started_us;
  // Frame i (from 1) is clock[i - 1].
  if (next_sent >= 1) times.until_us = std::max(started_us, clock[next_sent - 1] - Micros(lead_in));
  return times;
}

std::int64_t ConnectedAt(const std::vector<std::int64_t>& clock,
                         std::chrono::milliseconds lead_in) {
  return clock.front() - Micros(lead_in);
}

}  // namespace callledger::replay
