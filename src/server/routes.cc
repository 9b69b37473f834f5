#include "server/routes.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <memory>

#include "audit/call_links.h"
#include "audit/query.h"
#include "audit/render.h"
#include "core/utc_time.h"
#include "projection/row_format.h"
#include "server/call_query.h"

namespace callledger::server {
namespace json = boost::json;
namespace {

constexpr std::string_view kCallsPath = "/api/calls";
constexpr std::string_view kCsvPath = "/api/calls.csv";
constexpr const char* kJson = "application/json";
constexpr const char* kCsv = "text/csv; charset=utf-8";
// A call's history is a few hundred records; this bounds a pathological one.
constexpr std::size_t kMaxEventRecords = 20000;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

HttpResponse Json(int status, const json::value& body) {
  return {status, kJson, json::serialize(body) + "\n", {}, {}};
}

HttpResponse FromStatus(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidInput:
      return ErrorResponse(400, s.message(), ParameterOf(s));
    case Code::kUnavailable:
      return ErrorResponse(503, "database unavailable: " + s.message());
    case Code::kNotFound:
      return ErrorResponse(404, s.message());
    default:
      return ErrorResponse(500, s.ToString());
  }
}

// RowsToJson's text is the JSON the golden files and the API share.
json::value RowValue(const CallRow& row) { return json::parse(projection::RowToJson(row)); }

json::value TimeValue(std::int64_t us) {
  return us == 0 ? json::value(nullptr) : json::value(FormatUtcMillis(us));
}

// Ratios and means as JSON numbers with at most 4 decimals ("0.6667",
// "2.033"), or null: Boost.JSON would write doubles as "2.033E0".
std::string Decimal(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return "null";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4f", *v);
  std::string out(buf);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out == "-0" ? "0" : out;
}

std::string FiguresFields(const CallFigures& f) {
  return "\"offered\":" + std::to_string(f.offered) +
         ",\"answered\":" + std::to_string(f.answered) +
         ",\"abandoned\":" + std::to_string(f.abandoned) +
         ",\"abandon_rate\":" + Decimal(f.abandon_rate) +
         ",\"avg_ring_seconds\":" + Decimal(f.avg_ring_seconds) +
         ",\"avg_talk_seconds\":" + Decimal(f.avg_talk_seconds) +
         ",\"service_level\":" + Decimal(f.service_level);
}

json::value FollowUpJson(const std::optional<FollowUp>& f) {
  if (!f) return nullptr;
  json::object o;
  o["call_id"] = f->call_id;
  o["node"] = f->node;
  o["start_time"] = TimeValue(f->start_us);
  o["answered"] = f->answered;
  return o;
}

// since/until (and zone from the settings) as a period; other names are
// left to the caller.
Result<StatsPeriod> PeriodFrom(const std::map<std::string, std::string>& params,
                               const ApiSettings& settings) {
  StatsPeriod period;
  period.zone = settings.zone;
  for (const char* name : {"since", "until"}) {
    const auto it = params.find(name);
    if (it == params.end()) continue;
    ASSIGN_OR_RETURN(const std::int64_t t, ParseTimeParam(name, it->second));
    (std::string_view(name) == "since" ? period.since_us : period.until_us) = t;
  }
  return period;
}

// node= of the stats, missed and agents routes: one PBX's calls, or none.
Result<std::optional<std::string>> NodeFrom(const std::map<std::string, std::string>& params) {
  const auto it = params.find("node");
  if (it == params.end()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string node, ParseNodeParam(it->first, it->second));
  return std::optional<std::string>(std::move(node));
}

Status OnlyKnown(const std::map<std::string, std::string>& params,
                 std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : params) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return InvalidInput(name + ": unknown parameter");
    }
  }
  return Status::Ok();
}

// `"groups":[...]` of GET /api/stats?group_by=...&interval=... (issue 14):
// each group's key under group_by's name, its interval's local start, and
// its figures.
std::string GroupsField(const GroupedStatsQuery& query, const GroupedStats& grouped) {
  std::string out = ",\"groups\":[";
  bool first = true;
  for (const StatsGroupFigures& g : grouped.groups) {
    out += first ? "{" : ",{";
    first = false;
    if (query.group_by) {
      out += json::serialize(json::value(StatsGroupName(*query.group_by))) + ":" +
             (g.key ? json::serialize(json::value(*g.key)) : "null") + ",";
    }
    if (query.interval)
      out += "\"interval\":" + json::serialize(json::value(g.interval_start)) + ",";
    out += FiguresFields(g.figures) + ",\"missed\":" + std::to_string(g.missed) +
           ",\"longest_wait_seconds\":" + Decimal(g.longest_wait_seconds) + "}";
  }
  return out + "]";
}

HttpResponse Stats(const std::map<std::string, std::string>& params, ApiContext& ctx) {
  if (Status s = OnlyKnown(
          params, {"since", "until", "service_level_seconds", "node", "group_by", "interval"});
      !s.ok()) {
    return FromStatus(s);
  }
  GroupedStatsQuery grouped_query;
  if (auto it = params.find("group_by"); it != params.end()) {
    grouped_query.group_by = StatsGroupFromName(it->second);
    if (!grouped_query.group_by) {
      return FromStatus(InvalidInput("group_by: must be agent, direction, to_number or node"));
    }
  }
  if (auto it = params.find("interval"); it != params.end()) {
    grouped_query.interval = StatsIntervalFromName(it->second);
    if (!grouped_query.interval) return FromStatus(InvalidInput("interval: must be hour or day"));
  }
  auto period = PeriodFrom(params, ctx.settings);
  if (!period.ok()) return FromStatus(period.status());
  StatsQuery query;
  query.period = *period;
  query.service_level_seconds = ctx.settings.service_level_seconds;
  if (auto it = params.find("service_level_seconds"); it != params.end()) {
    auto n = ParseIntParam(it->first, it->second, 0, 3600);
    if (!n.ok()) return FromStatus(n.status());
    query.service_level_seconds = static_cast<int>(*n);
  }
  auto node = NodeFrom(params);
  if (!node.ok()) return FromStatus(node.status());
  query.node = *node;
  auto stats = ctx.reader.Stats(query);
  if (!stats.ok()) return FromStatus(stats.status());
  std::string body = "{\"since\":" + json::serialize(TimeValue(stats->since_us)) +
                     ",\"until\":" + json::serialize(TimeValue(stats->until_us)) +
                     ",\"zone\":" + json::serialize(json::value(query.period.zone)) +
                     ",\"service_level_seconds\":" + std::to_string(stats->service_level_seconds) +
                     "," + FiguresFields(stats->total) + ",\"by_direction\":{";
  const auto groups = [&](const std::map<std::string, CallFigures>& by) {
    bool first = true;
    for (const auto& [key, figures] : by) {
      body += (first ? "" : ",") + json::serialize(json::value(key)) + ":{" +
              FiguresFields(figures) + "}";
      first = false;
    }
  };
  groups(stats->by_direction);
  body += "},\"by_node\":{";
  groups(stats->by_node);
  body += "}";
  if (grouped_query.group_by || grouped_query.interval) {
    grouped_query.stats = query;
    auto grouped = ctx.reader.Grouped(grouped_query);
    if (!grouped.ok()) return FromStatus(grouped.status());
    body += GroupsField(grouped_query, *grouped);
  }
  return {200, kJson, body + "}\n", {}, {}};
}

// GET /api/agents (issue 14): each agent's calls over the period and what
// it is doing now.
HttpResponse Agents(const std::map<std::string, std::string>& params, ApiContext& ctx) {
  if (Status s = OnlyKnown(params, {"since", "until", "node"}); !s.ok()) return FromStatus(s);
  auto period = PeriodFrom(params, ctx.settings);
  if (!period.ok()) return FromStatus(period.status());
  AgentsQuery query;
  query.period = *period;
  auto node = NodeFrom(params);
  if (!node.ok()) return FromStatus(node.status());
  query.node = *node;
  auto list = ctx.reader.Agents(query);
  if (!list.ok()) return FromStatus(list.status());
  // Written by hand, as the stats: Decimal() keeps seconds readable
  // (Boost.JSON would write 1.6459E1).
  const auto text = [](const json::value& v) { return json::serialize(v); };
  std::string body = "{\"since\":" + text(TimeValue(list->since_us)) +
                     ",\"until\":" + text(TimeValue(list->until_us)) +
                     ",\"zone\":" + text(json::value(query.period.zone)) + ",\"agents\":[";
  bool first = true;
  for (const AgentNow& a : list->agents) {
    const bool busy = a.state != AgentState::kIdle;
    const json::value none(nullptr);
    body += (first ? "{" : ",{") + std::string("\"agent\":") + text(json::value(a.agent)) +
            ",\"state\":" + text(json::value(AgentStateName(a.state))) +
            ",\"call_id\":" + text(busy ? json::value(a.call_id) : none) +
            ",\"node\":" + text(busy ? json::value(a.node) : none) + ",\"with_number\":" +
            text(busy && !a.with_number.empty() ? json::value(a.with_number) : none) +
            ",\"since\":" + text(busy ? TimeValue(a.since_us) : none) +
            ",\"calls\":" + std::to_string(a.calls) +
            ",\"answered\":" + std::to_string(a.answered) +
            ",\"talk_seconds\":" + Decimal(static_cast<double>(a.talk_us / 1000) / 1000.0) + "}";
    first = false;
  }
  return {200, kJson, body + "]}\n", {}, {}};
}

HttpResponse Missed(const std::map<std::string, std::string>& params, ApiContext& ctx) {
  if (Status s = OnlyKnown(params, {"since", "until", "open", "limit", "node"}); !s.ok())
    return FromStatus(s);
  auto period = PeriodFrom(params, ctx.settings);
  if (!period.ok()) return FromStatus(period.status());
  MissedQuery query;
  query.period = *period;
  if (auto it = params.find("open"); it != params.end()) {
    auto b = ParseBoolParam(it->first, it->second);
    if (!b.ok()) return FromStatus(b.status());
    query.only_open = *b;
  }
  if (auto it = params.find("limit"); it != params.end()) {
    auto n = ParseIntParam(it->first, it->second, 1, kMaxLimit);
    if (!n.ok()) return FromStatus(n.status());
    query.limit = static_cast<int>(*n);
  }
  auto node = NodeFrom(params);
  if (!node.ok()) return FromStatus(node.status());
  query.node = *node;
  auto missed = ctx.reader.Missed(query);
  if (!missed.ok()) return FromStatus(missed.status());
  json::array items;
  for (const MissedCall& m : missed->items) {
    json::object o;
    o["call"] = RowValue(m.call);
    o["callback"] = FollowUpJson(m.callback);
    o["answered_later"] = FollowUpJson(m.answered_later);
    o["resolved"] = m.resolved;
    items.push_back(std::move(o));
  }
  json::object body;
  body["since"] = TimeValue(missed->since_us);
  body["until"] = TimeValue(missed->until_us);
  body["items"] = std::move(items);
  return Json(200, body);
}

HttpResponse Events(const std::string& call_id, ApiContext& ctx) {
  if (!ctx.ledger) return ErrorResponse(503, "the ledger is not available to this server");
  auto history = audit::CollectCall(*ctx.ledger, call_id);
  if (!history.ok()) return FromStatus(history.status());
  std::string records;
  std::size_t count = 0;
  Status s = audit::VisitSeqs(*ctx.ledger, history->seqs, [&](const Record& r) {
    if (count == kMaxEventRecords) return false;
    records += (count++ ? ",\n" : "\n") + audit::RecordJsonLine(r);
    return true;
  });
  if (!s.ok()) return FromStatus(s);
  json::array channels;
  for (const auto& c : history->channels) {
    channels.push_back(json::object{{"id", c.id}, {"name", c.name}, {"role", c.role}});
  }
  json::array bridges;
  for (const auto& b : history->bridges) bridges.push_back(json::value(b));
  // The records are already JSON (audit's one-line form): spliced in as is.
  std::string body = "{\"call_id\":" + json::serialize(json::value(call_id)) +
                     ",\"resolved_as\":" + json::serialize(json::value(history->resolved_as)) +
                     ",\"channels\":" + json::serialize(channels) +
                     ",\"bridges\":" + json::serialize(bridges) +
                     ",\"truncated\":" + (count < history->seqs.size() ? "true" : "false") +
                     ",\"records\":[" + records + "\n]}\n";
  return {200, kJson, std::move(body), {}, {}};
}

// Every matching row from the query's cursor on, a page of query.limit
// rows per read: memory stays bounded however many rows match.
HttpResponse CsvExport(CallQuery query) {
  struct State {
    CallQuery query;
    bool header_sent = false;
    bool done = false;
  };
  auto state = std::make_shared<State>(State{std::move(query)});
  HttpResponse response{200, kCsv, {}, {}, "attachment; filename=\"calls.csv\""};
  response.next_chunk = [state](CallLogReader& reader) -> Result<std::optional<std::string>> {
    if (state->done) return std::optional<std::string>();
    ASSIGN_OR_RETURN(auto page, reader.Search(state->query));
    std::string csv = projection::RowsToCsv(page.items);
    if (state->header_sent) csv.erase(0, csv.find("\r\n") + 2);
    state->header_sent = true;
    state->query.after = page.next;
    state->done = !page.next;
    return std::optional<std::string>(std::move(csv));
  };
  return response;
}

bool WantsCsv(const HttpRequest& request, std::map<std::string, std::string>& params,
              std::string_view path) {
  bool csv = path == kCsvPath || request.accept.find("text/csv") != std::string::npos;
  if (auto it = params.find("format"); it != params.end()) {
    csv = it->second == "csv";
    params.erase(it);
  }
  return csv;
}

HttpResponse Calls(const HttpRequest& request, std::string_view path, std::string_view query,
                   ApiContext& ctx) {
  auto params = ParseQueryString(query);
  if (!params.ok()) return FromStatus(params.status());
  if (auto it = params->find("format");
      it != params->end() && it->second != "csv" && it->second != "json") {
    return ErrorResponse(400, "format: must be json or csv", "format");
  }
  const bool csv = WantsCsv(request, *params, path);
  auto parsed = ParseCallQuery(*params);
  if (!parsed.ok()) return FromStatus(parsed.status());
  if (csv) {
    if (!params->contains("limit")) parsed->limit = kMaxLimit;
    return CsvExport(std::move(*parsed));
  }
  auto page = ctx.reader.Search(*parsed);
  if (!page.ok()) return FromStatus(page.status());
  const json::value next =
      page->next ? json::value(EncodeCursor(*page->next)) : json::value(nullptr);
  return {200,
          kJson,
          "{\"items\":" + projection::RowsToJson(page->items) +
              ",\"next_cursor\":" + json::serialize(next) + "}\n",
          {},
          {}};
}

}  // namespace

HttpResponse ErrorResponse(int status, const std::string& message, const std::string& parameter) {
  json::object o;
  o["error"] = message;
  if (!parameter.empty()) o["parameter"] = parameter;
  return Json(status, o);
}

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
    if (!name.ok())
      return InvalidInput(std::string(raw_name) + ": bad name: " + name.status().message());
    auto value =
        PercentDecode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    if (!value.ok()) return InvalidInput(*name + ": bad value: " + value.status().message());
    if (!IsQueryableText(*name) || !IsQueryableText(*value)) {
      return InvalidInput(*name + ": not UTF-8 text");
    }
    if (!out.emplace(std::move(*name), std::move(*value)).second) {
      return InvalidInput(std::string(raw_name) + ": given more than once");
    }
  }
  return out;
}

HttpResponse HandleApiRequest(const HttpRequest& request, ApiContext& ctx) {
  const std::string_view target = request.target;
  const auto qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const std::string_view query =
      qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);

  // /api/calls/{id} and /api/calls/{id}/events
  std::optional<std::string> call_id;
  bool events = false;
  if (path.starts_with(std::string(kCallsPath) + "/")) {
    std::string_view rest = path.substr(kCallsPath.size() + 1);
    if (rest.ends_with("/events")) {
      events = true;
      rest.remove_suffix(std::string_view("/events").size());
    }
    if (!rest.empty() && rest.find('/') == std::string_view::npos) {
      auto id = PercentDecode(rest);
      if (!id.ok()) return ErrorResponse(400, "bad call id in path: " + id.status().message());
      call_id = std::move(*id);
    }
  }
  const bool known = call_id || path == kCallsPath || path == kCsvPath || path == "/api/stats" ||
                     path == "/api/missed" || path == "/api/agents";
  if (!known) return ErrorResponse(404, "no such path: " + std::string(path));
  if (request.method != "GET") {
    return ErrorResponse(405, "method " + request.method + " not allowed; use GET");
  }

  if (call_id) {
    // Text PostgreSQL could not even compare can name no stored call.
    if (!IsQueryableText(*call_id)) return ErrorResponse(404, "no call with that id");
    if (events) return Events(*call_id, ctx);
    auto found = ctx.reader.Find(*call_id);
    if (!found.ok()) return FromStatus(found.status());
    if (!*found) return ErrorResponse(404, "no call with id " + *call_id);
    return {200, kJson, projection::RowToJson(**found) + "\n", {}, {}};
  }
  if (path == kCallsPath || path == kCsvPath) return Calls(request, path, query, ctx);
  auto params = ParseQueryString(query);
  if (!params.ok()) return FromStatus(params.status());
  if (path == "/api/stats") return Stats(*params, ctx);
  if (path == "/api/agents") return Agents(*params, ctx);
  return Missed(*params, ctx);
}

}  // namespace callledger::server
