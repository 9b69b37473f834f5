#include "cel/window_range.h"

#include "core/utc_time.h"

namespace callledger::cel {

WindowRange RangeToRead(const GapWindow& window, std::chrono::milliseconds margin) {
  WindowRange range;
  range.since_us =
      window.since_us - std::chrono::duration_cast<std::chrono::microseconds>(margin).count();
  range.until_us = window.until_us;
  range.origin_note =
      window.origin + ", less cel.margin_ms (" + std::to_string(margin.count()) + " ms)";
  return range;
}

std::string SettleRanOutNote(std::chrono::milliseconds settle,
                             std::optional<std::int64_t> last_time_us) {
  std::string why = "after waiting cel.settle_ms (" + std::to_string(settle.count()) +
                    " ms) the file held no line stamped at or after the window's end";
  if (last_time_us) why += " (its last: " + FormatUtcMicros(*last_time_us) + ")";
  return why + ": it was read as it was then";
}

}  // namespace callledger::cel
