// GET /ari/asterisk/info of a restarted Asterisk (restart_plan.h): the
// recorded body with the new process's startup time, for ari-sim to answer
// and for a simulated daemon's gap records (replay/cut_replay.h). A
// restart is told by this body: its `status.startup_time` changes while
// `system.entity_id` (the machine) stays. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace callledger::ari {

// `recorded` with `status.startup_time`, and `status.last_reload_time` when
// it has one, set to `startup_us` in the form of the recorded startup time
// (FormatTimeLike). Nothing else changes: the members keep their order and
// the whitespace around the JSON value is kept; a body that is not in
// compact form (no spaces between tokens, as Asterisk sends it) comes out
// compact. kInvalidInput when `recorded` is not a JSON object or has no
// string `status.startup_time` in a form FormatTimeLike reads.
Result<std::string> RestartedAsteriskInfo(std::string_view recorded, std::int64_t startup_us);

// `utc_us` written as `like` is written: the same offset text ("+0500",
// "+05:00", "Z"), shown in that offset's local time, with as many
// fractional digits as `like` has (at most 6; cut, never rounded), e.g.
// 2026-12-07T11:48:06.172Z like "2026-12-07T16:44:03.340+0500" is
// "2026-12-07T16:48:06.172+0500". kInvalidInput when `like` is not an ISO
// 8601 date-time with an offset.
Result<std::string> FormatTimeLike(std::int64_t utc_us, std::string_view like);

}  // namespace callledger::ari
