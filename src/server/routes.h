// The HTTP API's request -> response functions (DESIGN 6, STYLE habit 8):
// plain structs in and out, no sockets and no Beast types, so tests call
// them directly and the server shell (http_server.h) only moves bytes.
//
// Routes (GET only; docs/api.md has every parameter and an example):
//   /api/calls                search; {"items": [row...], "next_cursor": text|null}
//                             as CSV with `Accept: text/csv`, `format=csv`
//                             or the path /api/calls.csv: every matching row
//                             (from `cursor` on; `limit` is the page size of
//                             the reads behind it), streamed
//   /api/calls/{id}           one row; 404 if none
//   /api/calls/{id}/events    the call's raw ledger records (ledger-audit call)
//   /api/stats                the KPIs of core/call_stats.h over a period
//   /api/missed               unanswered inbound calls and what followed them
// Rows are objects with the columns and values of projection::RowsToJson.
//
// Errors are JSON {"error": text} (and "parameter": name for bad
// parameters): 400 bad parameter, 404 unknown path or call, 405 a method
// other than GET, 503 database unavailable, 500 otherwise.
//
// Thread safety: HandleApiRequest may run on many threads at once, each
// with its own reader; the ledger is read concurrently (EventLog allows it).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/call_log_reader.h"
#include "core/event_log.h"
#include "core/status.h"

namespace callledger::server {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // origin-form: "/api/calls?number=%2B99890"
  std::string accept;  // the Accept header, "" if none
};

// The next piece of a streamed body, nullopt at its end. An error ends the
// stream early; the server then breaks the connection instead of ending
// the body, so a client cannot mistake a partial export for a whole one.
using ChunkSource = std::function<Result<std::optional<std::string>>(CallLogReader&)>;

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;                 // or, when next_chunk is set, empty
  ChunkSource next_chunk;           // a streamed body (CSV export)
  std::string content_disposition;  // "attachment; filename=..." or ""
};

struct ApiSettings {
  std::string zone = "UTC";        // the PBX's IANA zone: "today" for stats
  int service_level_seconds = 20;  // default N of service_level
};

struct ApiContext {
  CallLogReader& reader;
  const EventLog* ledger = nullptr;  // for /events; 503 when absent
  ApiSettings settings;
};

HttpResponse HandleApiRequest(const HttpRequest& request, ApiContext& context);

// A JSON error body as the routes write it (also used by the server shell).
HttpResponse ErrorResponse(int status, const std::string& message,
                           const std::string& parameter = {});

// RFC 3986 percent-decoding. '+' stays '+' (it is not a space here: phone
// numbers start with it). kInvalidInput on '%' not followed by two hex digits.
Result<std::string> PercentDecode(std::string_view text);

// "a=1&b=%2B2" -> {a: "1", b: "+2"}; names and values percent-decoded, empty
// pieces ignored, a name without '=' has the value "". kInvalidInput
// "<name>: ..." for a repeated name or bad encoding.
Result<std::map<std::string, std::string>> ParseQueryString(std::string_view query);

}  // namespace callledger::server
