// A search of the call log (DESIGN 6): which rows, in which order, from
// where on. Plain values; the HTTP layer parses them (server/call_query.h),
// a CallLogReader (core/call_log_reader.h) answers them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/call_row.h"

namespace callledger {

inline constexpr int kDefaultLimit = 50;
inline constexpr int kMaxLimit = 1000;

// A position in the newest-first order: the last row of a page. Pages
// continue strictly after it in (start_time DESC, call_id DESC, node DESC)
// order, with bytewise ("C") comparison of the text; rows without a start
// time come last.
struct CallCursor {
  std::int64_t start_us = 0;  // 0 = the row has no start time
  std::string call_id;
  std::string node;

  bool operator==(const CallCursor&) const = default;
};

enum class NumberMatch : std::uint8_t { kExact, kPrefix };

struct CallQuery {
  std::optional<std::string> number;  // matches from_number or to_number
  NumberMatch number_match = NumberMatch::kExact;
  std::optional<std::string> direction;
  std::optional<CallStatus> status;
  std::optional<bool> answered;
  std::optional<bool> recorded;          // has a recording_path
  std::optional<std::int64_t> since_us;  // start_time >= since
  std::optional<std::int64_t> until_us;  // start_time < until
  std::optional<std::int64_t> min_duration_s;
  std::optional<Evidence> evidence;
  std::optional<EndReason> end_reason;  // a reason, never kNone (live calls: status)
  std::optional<std::string> node;      // one PBX's rows, when several share the database
  std::optional<std::string> agent;     // the row's agent, exactly (docs/projection.md, "Agents")
  int limit = kDefaultLimit;
  std::optional<CallCursor> after;

  bool operator==(const CallQuery&) const = default;
};

}  // namespace callledger
