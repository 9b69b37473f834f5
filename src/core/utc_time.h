// UTC instants as integer microseconds since the Unix epoch, and the ISO 8601
// text the ledger reads and writes for them.
//
// Every module that shows or accepts a time uses these: the HTTP API's
// `since`/`until` parameters and row times, the auditors' renderings, the
// tools' time arguments, and (through ari/timestamp.h) the ARI frames.
// Pure integer arithmetic on the proleptic Gregorian calendar: no clock, no
// time zone database, no locale. Every function is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callledger {

// `2026-11-26T14:51:13.519+0500` (what Asterisk writes), `+05:00`, `Z`, with
// any number of fractional digits (truncated to microseconds, never rounded)
// or none, to UTC microseconds. nullopt if `text` is not such a date-time; a
// missing offset is an error, because a local time without one names no
// instant. Leap seconds (`:60`) are rejected.
std::optional<std::int64_t> ParseIsoTimestamp(std::string_view text);

// `2026-11-26T09:15:58.161Z`: UTC with milliseconds (DESIGN section 7).
// Sub-millisecond parts are floored, also before 1970.
std::string FormatUtcMillis(std::int64_t utc_us);
// `2026-11-26T09:15:58.161234Z`: UTC with microseconds, for auditors.
std::string FormatUtcMicros(std::int64_t utc_us);

}  // namespace callledger
