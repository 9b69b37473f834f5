// The CEL log of a restarted Asterisk (restart_plan.h): which lines of a
// capture's CEL log (fixtures/asterisk-cel/<s>.cel.jsonl) it would have
// written. ari-sim leaves the others out of --cel-out, and a simulated
// daemon run reads the same lines (replay/cut_replay.h). Pure.
//
// For each restart (died at T(N), started again at T(N) + D), a line is
// left out when it is stamped
//   - after T(N) and no later than T(N) + D: no Asterisk ran to write it;
//   - later than that, but is of the old process: its uniqueid or linkedid
//     is a channel of the old process (one of the plan's old names, or the
//     uniqueid or linkedid of a line stamped no later than T(N) + D), or its
//     bridge_id one of its bridges. A killed Asterisk writes nothing more.
// Lines of channels first seen after the restart are kept, and so is every
// line stamped at or before T(N). A line without a readable eventtime takes
// the time of the line before it (as ari-sim writes it; the first lines of
// the log, before any time, are kept), and one that is not JSON names no
// channel: it is judged by that time alone.
#pragma once

#include <string_view>
#include <vector>

#include "ari/restart_plan.h"

namespace callledger::ari {

// One flag per line, in order: true when the restarted Asterisk wrote it.
std::vector<bool> KeptCelLines(const RestartPlan& plan, const std::vector<std::string_view>& lines);

}  // namespace callledger::ari
