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
//   evidence      ari | cel
//   end_reason    hangup | gap | pbx_restart (live calls have none)
//   node          one PBX's rows: a node name (letters, digits, '.', '_',
//                 '-'; at most 253), as the daemons' NODE_NAME
//   agent         the rows whose agent is this extension, exactly (1 to 80
//                 characters, no control characters)
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

#include "core/call_query.h"
#include "core/call_row.h"
#include "core/status.h"

namespace callledger::server {

Result<CallQuery> ParseCallQuery(const std::map<std::string, std::string>& params);

// A node name as the daemons' NODE_NAME is one (letters, digits, '.', '_',
// '-'; 1..253), else kInvalidInput ("<name>: ...").
Result<std::string> ParseNodeParam(const std::string& name, const std::string& value);

// The opaque cursor text: base64url (no padding) of the position.
std::string EncodeCursor(const CallCursor& cursor);
// kInvalidInput ("cursor: ...") unless `text` is exactly what EncodeCursor
// produces for some position.
Result<CallCursor> DecodeCursor(std::string_view text);

// Well-formed UTF-8 without NUL bytes: text PostgreSQL can be asked about.
bool IsQueryableText(std::string_view text);

// Single parameter values, with errors naming the parameter.
Result<bool> ParseBoolParam(std::string_view name, const std::string& value);
Result<std::int64_t> ParseIntParam(std::string_view name, const std::string& value,
                                   std::int64_t min, std::int64_t max);
// ISO 8601 with an offset or Z, to UTC microseconds.
Result<std::int64_t> ParseTimeParam(std::string_view name, const std::string& value);

// "number" for a status "number: must be digits"; empty if none.
std::string ParameterOf(const Status& status);

}  // namespace callledger::server
