#include "core/call_row.h"

namespace callledger {

std::string_view CallStatusName(CallStatus s) {
  switch (s) {
    case CallStatus::kRinging:
      return "kelyapti";
    case CallStatus::kTalking:
      return "suhbatda";
    case CallStatus::kFinished:
      return "yakunlandi";
  }
  return "kelyapti";
}

std::int64_t RoundedSeconds(std::int64_t from_us, std::int64_t to_us) {
  if (to_us <= from_us) return 0;
  // Whole milliseconds first (ARI times have millisecond precision), then
  // seconds rounded half up.
  const std::int64_t ms = (to_us - from_us) / 1000;
  return (ms + 500) / 1000;
}

}  // namespace callledger
