// The HTTP API's request -> response functions (DESIGN 6, STYLE habit 8):
// plain structs in and out, no sockets and no Beast types, so tests call
// them directly and the server shell only moves bytes.
//
// Routes:
//   GET /api/calls            search (call_query.h parameters); 200
//                             {"items": [row...], "next_cursor": text|null}
//   GET /api/calls/{call_id}  one row (call_search.h FindCall); 404 if none
// Rows are objects with the columns and values of projection::RowsToJson.
//
// Errors are JSON {"error": text} (and "parameter": name for bad
// parameters): 400 bad parameter, 404 unknown path or call, 405 a method
// other than GET on a known path, 503 database unavailable, 500 otherwise.
//
// Thread safety: as the connection's (one thread at a time).
#pragma once

#include <map>
#include <pqxx/connection>
#include <string>
#include <string_view>

#include "core/status.h"

namespace callledger::server {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // origin-form: "/api/calls?number=%2B99890"
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
};

HttpResponse HandleApiRequest(const HttpRequest& request, pqxx::connection& conn);

// RFC 3986 percent-decoding. '+' stays '+' (it is not a space here: phone
// numbers start with it). kInvalidInput on '%' not followed by two hex digits.
Result<std::string> PercentDecode(std::string_view text);

// "a=1&b=%2B2" -> {a: "1", b: "+2"}; names and values percent-decoded, empty
// pieces ignored, a name without '=' has the value "". kInvalidInput
// "<name>: ..." for a repeated name or bad encoding.
Result<std::map<std::string, std::string>> ParseQueryString(std::string_view query);

}  // namespace callledger::server
