#include "ari-sim/restarts.h"

#include <algorithm>
#include <string_view>

#include "ari/asterisk_info.h"
#include "ari/restart_cel.h"

namespace callledger::arisim {
namespace {

Result<std::vector<ari::Restart>> Restarts(const RestartArgs& args) {
  const std::size_t n = args.after_frames.size();
  if (args.down_ms.size() > 1 && args.down_ms.size() != n) {
    return InvalidInput("give one --restart-down-ms for every restart, or one per --restart-at (" +
                        std::to_string(args.down_ms.size()) + " for " + std::to_string(n) +
                        " restart(s))");
  }
  std::vector<ari::Restart> out;
  for (std::size_t i = 0; i < n; ++i) {
    ari::Restart r{args.after_frames[i], ari::kDefaultRestartDown};
    if (!args.down_ms.empty()) {
      const std::int64_t ms = args.down_ms.size() == 1 ? args.down_ms[0] : args.down_ms[i];
      if (ms < 0) return InvalidInput("--restart-down-ms cannot be negative");
      r.down = std::chrono::milliseconds(ms);
    }
    out.push_back(r);
  }
  return out;
}

// Restarts and drops are cuts of one stream: in increasing order, each
// after the previous one's gap, and never on a frame the stream does not
// send.
Status CheckWithDrops(const ari::RestartPlan& plan, const std::vector<DropPoint>& drops) {
  struct Cut {
    std::uint64_t after_frame;
    std::uint64_t gap;
    std::string name;
  };
  std::vector<Cut> cuts;
  for (const DropPoint& d : drops) {
    cuts.push_back({d.after_frame, d.gap, "--drop-at " + std::to_string(d.after_frame)});
    if (plan.Gone(d.after_frame)) {
      return InvalidInput(cuts.back().name + ": frame " + std::to_string(d.after_frame) +
                          " is never sent after a restart before it (it falls in the down time "
                          "or names a channel of the killed process); drop after a frame that "
                          "is sent");
    }
  }
  for (const ari::PlannedRestart& r : plan.restarts()) {
    cuts.push_back({r.restart.after_frame, 0, ari::RestartName(r.restart)});
  }
  std::stable_sort(cuts.begin(), cuts.end(),
                   [](const Cut& a, const Cut& b) { return a.after_frame < b.after_frame; });
  for (std::size_t i = 1; i < cuts.size(); ++i) {
    const Cut& before = cuts[i - 1];
    if (cuts[i].after_frame == before.after_frame) {
      return InvalidInput(cuts[i].name + " and " + before.name +
                          " are on the same frame: a restart closes the connection itself, it is "
                          "a cut of its own");
    }
    if (cuts[i].after_frame <= before.after_frame + before.gap) {
      return InvalidInput(cuts[i].name + " must come after " + before.name +
                          " and its gap (frame " + std::to_string(before.after_frame + before.gap) +
                          "): a restart is a cut of its own");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SimRestarts> PlanSimRestarts(const std::vector<StreamFrame>& frames, const RestartArgs& args,
                                    const std::vector<DropPoint>& drops,
                                    const std::string& asterisk_info) {
  SimRestarts out;
  if (args.after_frames.empty()) {
    if (!args.down_ms.empty()) return InvalidInput("--restart-down-ms needs --restart-at");
    return out;
  }
  ASSIGN_OR_RETURN(const std::vector<ari::Restart> restarts, Restarts(args));
  std::vector<std::string_view> bytes;
  bytes.reserve(frames.size());
  for (const StreamFrame& frame : frames) bytes.push_back(frame.bytes);
  ASSIGN_OR_RETURN(out.plan, ari::RestartPlan::Make(bytes, restarts));
  RETURN_IF_ERROR(CheckWithDrops(out.plan, drops));
  for (const ari::PlannedRestart& r : out.plan.restarts()) {
    auto info = ari::RestartedAsteriskInfo(asterisk_info, r.started_us);
    if (!info.ok()) return InvalidInput(info.status().message() + " (--info, for --restart-at)");
    out.asterisk_infos.push_back(std::move(*info));
  }
  return out;
}

std::size_t DropRestartedCelLines(const ari::RestartPlan& plan, std::vector<CelLine>& lines) {
  if (plan.empty()) return 0;
  std::vector<std::string_view> bytes;
  bytes.reserve(lines.size());
  for (const CelLine& line : lines) bytes.push_back(line.bytes);
  const std::vector<bool> kept = ari::KeptCelLines(plan, bytes);
  std::vector<CelLine> out;
  out.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (kept[i]) out.push_back(std::move(lines[i]));
  }
  const std::size_t dropped = lines.size() - out.size();
  lines = std::move(out);
  return dropped;
}

}  // namespace callledger::arisim
