// What is read for a gap's window, and what the window's record says about
// how it was read: shared by the daemon's CEL collector
// (daemon/cel_collector.h), which reads a live file, and the replay of a
// cut (replay/cut_replay.h), which reads a capture's complete CEL file, so
// that both write the same records for the same window.
//
//   - The range read is [since_us - margin, until_us]: events Asterisk made
//     before the last record heard may reach the daemon after it (overload
//     lags), so the window begins `margin` earlier (cel.margin_ms).
//   - The first note says where the window's start comes from (the gap
//     window's origin) and the margin.
//   - When Asterisk had not written a line stamped at or after the window's
//     end within `settle` (cel.settle_ms), a note says so and what the
//     file's last line was; the file is read as it was then.
//
// Pure functions; no I/O, no clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "cel/gap_windows.h"

namespace callledger::cel {

// The daemon's defaults for cel.margin_ms and cel.settle_ms (the daemon's
// configuration, daemon/config.h, states the same values; a test checks
// that they agree).
inline constexpr std::chrono::milliseconds kDefaultMargin{5000};
inline constexpr std::chrono::milliseconds kDefaultSettle{2000};

struct WindowRange {
  std::int64_t since_us = 0;
  std::int64_t until_us = 0;
  std::string origin_note;  // the first of the window's notes
};

WindowRange RangeToRead(const GapWindow& window, std::chrono::milliseconds margin);

// The note of a window whose end Asterisk had not reached in the file
// after `settle`; `last_time_us` is the file's last line's eventtime, if
// it has one.
std::string SettleRanOutNote(std::chrono::milliseconds settle,
                             std::optional<std::int64_t> last_time_us);

}  // namespace callledger::cel
