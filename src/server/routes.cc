#include "server/routes.h"

#include <boost/json.hpp>

#include "projection/row_format.h"
#include "server/call_query.h"
#include "server/call_search.h"

namespace callledger::server {
namespace json = boost::json;
namespace {

constexpr std::string_view kCallsPath = "/api/calls";
constexpr const char* kJson = "application/json";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

HttpResponse Json(int status, const json::value& body) {
  return {status, kJson, json::serialize(body) + "\n"};
}

HttpResponse Error(int status, const std::string& message, const std::string& parameter = {}) {
  json::object o;
  o["error"] = message;
  if (!parameter.empty()) o["parameter"] = parameter;
  return Json(status, o);
}

HttpResponse FromStatus(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidInput:
      return Error(400, s.message(), ParameterOf(s));
    case Code::kUnavailable:
      return Error(503, "database unavailable: " + s.message());
    case Code::kNotFound:
      return Error(404, s.message());
    default:
      return Error(500, s.ToString());
  }
}

// The rows as RowsToJson writes them, as JSON values.
json::array RowValues(const std::vector<CallRow>& rows) {
  return json::parse(projection::RowsToJson(rows)).as_array();
}


}  // namespace

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    const int lo = hi >= 0 ? HexValue(text[i + 2]) : -1;
    if (lo < 0) return InvalidInput("'%' not followed by two hex digits");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<std::map<std::string, std::string>> ParseQueryString(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    const std::string_view raw_name = piece.substr(0, eq);
    auto name = PercentDecode(raw_name);
    if (!name.ok()) return InvalidInput(std::string(raw_name) + ": bad name: " + name.status().message());
    auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    if (!value.ok()) return InvalidInput(*name + ": bad value: " + value.status().message());
    if (!out.emplace(std::move(*name), std::move(*value)).second) {
      return InvalidInput(std::string(raw_name) + ": given more than once");
    }
  }
  return out;
}

HttpResponse HandleApiRequest(const HttpRequest& request, pqxx::connection& conn) {
  const std::string_view target = request.target;
  const auto qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const std::string_view query =
      qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);

  const bool is_search = path == kCallsPath;
  std::optional<std::string> call_id;
  if (!is_search && path.starts_with(std::string(kCallsPath) + "/")) {
    const std::string_view raw = path.substr(kCallsPath.size() + 1);
    if (!raw.empty() && raw.find('/') == std::string_view::npos) {
      auto id = PercentDecode(raw);
      if (!id.ok()) return Error(400, "bad call id in path: " + id.status().message());
      call_id = std::move(*id);
    }
  }
  if (!is_search && !call_id) return Error(404, "no such path: " + std::string(path));
  if (request.method != "GET") return Error(405, "method " + request.method + " not allowed; use GET");

  if (call_id) {
    // Text PostgreSQL could not even compare can name no stored call.
    if (!IsQueryableText(*call_id)) return Error(404, "no call with that id");
    auto found = FindCall(conn, *call_id);
    if (!found.ok()) return FromStatus(found.status());
    if (!*found) return Error(404, "no call with id " + *call_id);
    return Json(200, RowValues({**found}).at(0));
  }

  auto params = ParseQueryString(query);
  if (!params.ok()) return FromStatus(params.status());
  auto parsed = ParseCallQuery(*params);
  if (!parsed.ok()) return FromStatus(parsed.status());
  auto page = SearchCalls(conn, *parsed);
  if (!page.ok()) return FromStatus(page.status());
  json::object body;
  body["items"] = RowValues(page->items);
  body["next_cursor"] = page->next_cursor ? json::value(*page->next_cursor) : json::value(nullptr);
  return Json(200, body);
}

}  // namespace callledger::server
