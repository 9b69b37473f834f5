#include "ari/timestamp.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace callledger::ari {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;

// The digit at `p[i]`, and `bad` set if it is not one: no branch per byte,
// as in core/utc_time.cc's parser.
unsigned Digit(const char* p, std::size_t i, bool& bad) {
  const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(p[i])) - '0';
  bad |= v > 9;
  return v;
}

}  // namespace

std::optional<std::int64_t> AriTimestampParser::Parse(std::string_view text) {
  const char* p = text.data();
  // Reads the seconds and milliseconds of a text of Asterisk's form;
  // false if they are not digits or the second is out of range.
  auto seconds_and_millis = [p](std::int64_t* us) {
    bool bad = false;
    const unsigned second = Digit(p, 17, bad) * 10 + Digit(p, 18, bad);
    const unsigned millis = Digit(p, 20, bad) * 100 + Digit(p, 21, bad) * 10 + Digit(p, 22, bad);
    if (bad || second > 59 || p[16] != ':' || p[19] != '.') return false;
    *us = static_cast<std::int64_t>(second) * kMicrosPerSecond +
          static_cast<std::int64_t>(millis) * 1000;
    return true;
  };
  const bool asterisk_form = text.size() == kLength;
  std::int64_t within_minute_us = 0;
  if (asterisk_form && cached_ && std::memcmp(p, minute_, kMinuteLength) == 0 &&
      std::memcmp(p + kZoneAt, zone_, sizeof zone_) == 0 && seconds_and_millis(&within_minute_us)) {
    // The minute and the offset were checked when they were cached.
    return minute_utc_us_ + within_minute_us;
  }
  const std::optional<std::int64_t> us = ParseAriTimestamp(text);
  if (us && asterisk_form && (p[kZoneAt] == '+' || p[kZoneAt] == '-') &&
      seconds_and_millis(&within_minute_us)) {
    std::memcpy(minute_, p, kMinuteLength);
    std::memcpy(zone_, p + kZoneAt, sizeof zone_);
    minute_utc_us_ = *us - within_minute_us;
    cached_ = true;
  }
  return us;
}

}  // namespace callledger::ari
