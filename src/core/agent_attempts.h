// `agents_tried` as JSON text: an array of objects, one per leg, in the
// order they were rung (docs/projection.md, "Agents"):
//
//   [{"endpoint":"101","outcome":"no_answer","rung_at":"2026-11-26T09:17:34.686Z",
//     "channel_id":"1795684654.62"}, ...]
//
// The golden files, the API and CSV show it with millisecond times; the
// call_logs table keeps it (jsonb) with microseconds, so that a row read
// back equals the row written. Keys always in this order; strings escaped
// as RFC 8259 requires. Reading it back is the PostgreSQL adapter's
// (src/pg/pg_row_codec.cc), with a JSON library: these are the key names
// it reads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/call_row.h"

namespace callledger {

namespace agent_keys {
inline constexpr std::string_view kEndpoint = "endpoint";
inline constexpr std::string_view kOutcome = "outcome";
inline constexpr std::string_view kRungAt = "rung_at";
inline constexpr std::string_view kChannelId = "channel_id";
}  // namespace agent_keys

enum class TimePrecision : std::uint8_t { kMillis, kMicros };

std::string AgentsTriedJson(const std::vector<AgentAttempt>& attempts, TimePrecision precision);

// "101 no_answer; 102 busy; 103 answered": the list for a person (CSV, the
// table); "" for none.
std::string AgentsTriedText(const std::vector<AgentAttempt>& attempts);

}  // namespace callledger
