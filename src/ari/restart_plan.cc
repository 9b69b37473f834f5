#include "ari/restart_plan.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "ari/frame_names.h"

namespace callledger::ari {
namespace {

// The names of all frames as small numbers, and each frame's numbers.
struct Interned {
  std::vector<std::string> names;
  std::vector<std::vector<std::uint32_t>> of_frame;
};

Interned Intern(const std::vector<FrameNames>& frames) {
  Interned out;
  std::map<std::string, std::uint32_t, std::less<>> numbers;
  out.of_frame.reserve(frames.size());
  for (const FrameNames& frame : frames) {
    std::vector<std::uint32_t> mine;
    mine.reserve(frame.names.size());
    for (const std::string& name : frame.names) {
      auto [it, added] = numbers.try_emplace(name, static_cast<std::uint32_t>(out.names.size()));
      if (added) out.names.push_back(name);
      mine.push_back(it->second);
    }
    out.of_frame.push_back(std::move(mine));
  }
  return out;
}

// Names that frames tie together (union-find with path halving).
class Groups {
 public:
  explicit Groups(std::size_t size) : parent_(size) {
    std::iota(parent_.begin(), parent_.end(), std::uint32_t{0});
  }
  std::uint32_t Find(std::uint32_t n) {
    while (parent_[n] != n) n = parent_[n] = parent_[parent_[n]];
    return n;
  }
  void Join(std::uint32_t a, std::uint32_t b) { parent_[Find(a)] = Find(b); }

 private:
  std::vector<std::uint32_t> parent_;
};

// T(i) of every frame (restart_plan.h); kInvalidInput when none has a time.
Result<std::vector<std::int64_t>> Clock(const std::vector<FrameNames>& frames) {
  const auto first = std::find_if(frames.begin(), frames.end(),
                                  [](const FrameNames& f) { return f.time_us.has_value(); });
  if (first == frames.end()) {
    return InvalidInput(
        "no frame of the capture has a readable ARI timestamp to time a restart by");
  }
  std::vector<std::int64_t> clock;
  clock.reserve(frames.size());
  std::int64_t latest = *first->time_us;
  for (const FrameNames& frame : frames) {
    latest = std::max(latest, frame.time_us.value_or(latest));
    clock.push_back(latest);
  }
  return clock;
}

Status Check(const Restart& restart, std::uint64_t previous, std::size_t frames,
             const std::vector<bool>& gone) {
  const std::string name = RestartName(restart);
  const std::uint64_t n = restart.after_frame;
  if (n < 1) return InvalidInput(name + ": --restart-at counts frames from 1");
  if (n > frames) {
    return InvalidInput(name + ": the capture has only " + std::to_string(frames) + " frames");
  }
  if (n <= previous) {
    return InvalidInput(name + ": must come after the previous restart (--restart-at " +
                        std::to_string(previous) + ")");
  }
  if (restart.down.count() < 0) return InvalidInput(name + ": the down time cannot be negative");
  if (gone[n - 1]) {
    return InvalidInput(name + ": frame " + std::to_string(n) +
                        " is never sent after the restart before it (it falls in that restart's "
                        "down time or names a channel of the process it killed); restart after a "
                        "frame that is sent");
  }
  return Status::Ok();
}

}  // namespace

std::string RestartName(const Restart& restart) {
  std::string name = "--restart-at " + std::to_string(restart.after_frame);
  if (restart.down != kDefaultRestartDown) {
    name += " --restart-down-ms " + std::to_string(restart.down.count());
  }
  return name;
}

Result<RestartPlan> RestartPlan::Make(const std::vector<std::string_view>& frames,
                                      const std::vector<Restart>& restarts) {
  RestartPlan plan;
  if (restarts.empty()) return plan;
  std::vector<FrameNames> names;
  names.reserve(frames.size());
  for (const std::string_view frame : frames) names.push_back(ReadFrameNames(frame));
  ASSIGN_OR_RETURN(const std::vector<std::int64_t> clock, Clock(names));
  const Interned interned = Intern(names);
  plan.gone_.assign(frames.size(), false);

  std::uint64_t previous = 0;
  for (const Restart& restart : restarts) {
    RETURN_IF_ERROR(Check(restart, previous, frames.size(), plan.gone_));
    previous = restart.after_frame;
    PlannedRestart planned;
    planned.restart = restart;
    planned.died_us = clock[restart.after_frame - 1];
    planned.started_us =
        planned.died_us +
        std::chrono::duration_cast<std::chrono::microseconds>(restart.down).count();
    // The clock never goes back: the frames up to K are those stamped no
    // later than the new start.
    const std::size_t k = static_cast<std::size_t>(
        std::upper_bound(clock.begin(), clock.end(), planned.started_us) - clock.begin());
    planned.down_through = k;

    Groups groups(interned.names.size());
    for (std::size_t i = k; i < frames.size(); ++i) {
      const auto& mine = interned.of_frame[i];
      for (std::size_t j = 1; j < mine.size(); ++j) groups.Join(mine[j], mine[0]);
    }
    std::vector<bool> old_group(interned.names.size(), false);
    for (std::size_t i = 0; i < k; ++i) {
      for (const std::uint32_t n : interned.of_frame[i]) old_group[groups.Find(n)] = true;
    }
    const auto old = [&](std::uint32_t n) { return static_cast<bool>(old_group[groups.Find(n)]); };
    for (std::size_t i = restart.after_frame; i < frames.size(); ++i) {
      const auto& mine = interned.of_frame[i];
      if (i < k || std::any_of(mine.begin(), mine.end(), old)) plan.gone_[i] = true;
    }
    for (std::uint32_t n = 0; n < interned.names.size(); ++n) {
      if (old(n)) planned.old_names.insert(interned.names[n]);
    }
    plan.restarts_.push_back(std::move(planned));
  }
  return plan;
}

std::uint64_t RestartPlan::gone_count() const {
  return static_cast<std::uint64_t>(std::count(gone_.begin(), gone_.end(), true));
}

const PlannedRestart* RestartPlan::After(std::uint64_t number) const {
  for (const PlannedRestart& r : restarts_) {
    if (r.restart.after_frame == number) return &r;
  }
  return nullptr;
}

}  // namespace callledger::ari
