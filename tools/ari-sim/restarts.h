// ari-sim's restarts (--restart-at N, --restart-down-ms D): the arguments
// checked together with the drop points, planned over the stream
// (ari/restart_plan.h), each with the new process's /ari/asterisk/info
// (ari/asterisk_info.h), and the capture's CEL lines a restarted Asterisk
// never wrote taken out (ari/restart_cel.h). No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ari-sim/cel_lines.h"
#include "ari-sim/replay.h"
#include "core/status.h"

namespace callledger::arisim {

struct RestartArgs {
  std::vector<std::uint64_t> after_frames;  // --restart-at, in order
  // --restart-down-ms: none (the default for all), one (for all) or one per
  // --restart-at.
  std::vector<std::int64_t> down_ms;
};

// kInvalidInput, saying what is wrong: a restart that the plan refuses
// (RestartPlan::Make: beyond the last frame, out of order, on a frame an
// earlier restart made gone), a --restart-down-ms count that is neither
// 0, 1 nor one per --restart-at, a restart on a drop point or inside a
// drop's gap, or a drop point after it not beyond it, a drop point on a
// frame a restart made gone (the stream never gets to send it), or an info
// body without a status.startup_time to change.
Result<SimRestarts> PlanSimRestarts(const std::vector<StreamFrame>& frames, const RestartArgs& args,
                                    const std::vector<DropPoint>& drops,
                                    const std::string& asterisk_info);

// Takes out the CEL lines the restarted Asterisk never wrote; returns how
// many.
std::size_t DropRestartedCelLines(const ari::RestartPlan& plan, std::vector<CelLine>& lines);

}  // namespace callledger::arisim
