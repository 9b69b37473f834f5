// The filters of `GET /api/calls` (DESIGN 6, issue 5): query parameters in,
// a validated CallQuery out. No I/O; pure functions, thread-safe.
//
// Parameters (all optional, each at most once; anything else is an error):
//   number        digits with an optional leading '+'; matches from_number
//                 or to_number exactly, or by prefix with a trailing '*'
//   direction     kiruvchi | chiquvchi
//   status        kelyapti | suhbatda | yakunlandi
//   answered      true | false
//   recorded      true | false (has a recording_path)
//   since, until  start time, ISO 8601 with an offset or Z; since is
//                 inclusive, until exclusive
//   min_duration  whole seconds >= 0 (calls without a duration never match)
//   limit         1..1000, default 50
//   cursor        the next_cursor of a previous page, as given
//
// Errors: kInvalidInput with a message "<parameter>: <reason>";
// ParameterOf() recovers the parameter's name for the HTTP error body.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/call_row.h"
#include "core/status.h"

namespace callledger::server {

inline constexpr int kDefaultLimit = 50;
inline constexpr int kMaxLimit = 1000;

// A position in the newest-first order: the last row of a page. Pages
// continue strictly after it in (start_time DESC, call_id DESC, node DESC)
// order, with bytewise ("C") comparison of the text.
struct CallCursor {
  std::int64_t start_us = 0;  // 0 = the row has no start time
  std::string call_id;
  std::string node;

  bool operator==(const CallCursor&) const = default;
};

enum class NumberMatch : std::uint8_t { kExact, kPrefix };

struct CallQuery {
  std::optional<std::string> number;  // without the trailing '*'
  NumberMatch number_match = NumberMatch::kExact;
  std::optional<std::string> direction;
  std::optional<CallStatus> status;
  std::optional<bool> answered;
  std::optional<bool> recorded;
  std::optional<std::int64_t> since_us;
  std::optional<std::int64_t> until_us;
  std::optional<std::int64_t> min_duration_s;
  int limit = kDefaultLimit;
  std::optional<CallCursor> after;

  bool operator==(const CallQuery&) const = default;
};

Result<CallQuery> ParseCallQuery(const std::map<std::string, std::string>& params);

// The opaque cursor text: base64url (no padding) of the position.
std::string EncodeCursor(const CallCursor& cursor);
// kInvalidInput ("cursor: ...") unless `text` is exactly what EncodeCursor
// produces for some position.
Result<CallCursor> DecodeCursor(std::string_view text);

// Well-formed UTF-8 without NUL bytes: text PostgreSQL can be asked about.
bool IsQueryableText(std::string_view text);

// "number" for a status "number: must be digits"; empty if none.
std::string ParameterOf(const Status& status);

}  // namespace callledger::server
