// ARI timestamps to UTC microseconds.
//
// Asterisk writes `2026-11-26T14:51:13.519+0500`: the PBX's local time with a
// numeric offset and no colon. The grammar is ISO 8601's, so the parsing
// itself is core's (core/utc_time.h, which also formats UTC for every
// module); this header adds the name the ARI code reads and the cache that
// makes a stream of frames cheap to parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/utc_time.h"

namespace callledger::ari {

// UTC microseconds since the Unix epoch, or nullopt if `text` is not an
// ISO 8601 date-time with an explicit offset (a missing offset is an error:
// we never guess the zone). Pure function, thread-safe.
inline std::optional<std::int64_t> ParseAriTimestamp(std::string_view text) {
  return ParseIsoTimestamp(text);
}

// ParseAriTimestamp for a stream of timestamps. A decoder reads two or
// three per event (the event's, each channel's creationtime), mostly in the
// same minute as the last: this remembers the minute and offset of the last
// timestamp in Asterisk's own form (`2026-11-26T14:51:13.519+0500`) and,
// for the next with the same minute and offset, reads only the seconds and
// milliseconds. Every other text goes to ParseAriTimestamp. Same result as
// ParseAriTimestamp for every input; not thread-safe (one per decoder).
class AriTimestampParser {
 public:
  std::optional<std::int64_t> Parse(std::string_view text);

 private:
  static constexpr std::size_t kLength = 28;  // `2026-11-26T14:51:13.519+0500`
  static constexpr std::size_t kMinuteLength = 16;
  static constexpr std::size_t kZoneAt = 23;
  bool cached_ = false;
  char minute_[kMinuteLength] = {};    // `2026-11-26T14:51`
  char zone_[kLength - kZoneAt] = {};  // `+0500`
  std::int64_t minute_utc_us_ = 0;     // that minute's start, UTC
};

}  // namespace callledger::ari
