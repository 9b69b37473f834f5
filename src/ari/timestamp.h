// ARI timestamps to UTC microseconds.
//
// Asterisk writes `2026-11-26T14:51:13.519+0500`: the PBX's local time with a
// numeric offset and no colon. We also accept `+05:00`, `Z`, any number of
// fractional digits (truncated to microseconds) or none. Pure function,
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callledger::ari {

// UTC microseconds since the Unix epoch, or nullopt if `text` is not an
// ISO 8601 date-time with an explicit offset (a missing offset is an error:
// we never guess the zone).
std::optional<std::int64_t> ParseAriTimestamp(std::string_view text);

// `2026-11-26T09:15:58.161Z`: UTC with milliseconds (DESIGN section 7).
std::string FormatUtcMillis(std::int64_t utc_us);
// `2026-11-26T09:15:58.161234Z`: UTC with microseconds, for auditors.
std::string FormatUtcMicros(std::int64_t utc_us);

}  // namespace callledger::ari
