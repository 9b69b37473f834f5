// The HTTP API's other endpoints on a real PostgreSQL (server/api_ledger.h):
// CSV streamed a page at a time, the supervisor figures and missed calls
// over a period, and a call's raw ledger records as ledger-audit lists them.
#include "server/routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "api_ledger.h"
#include "audit/call_links.h"
#include "audit/query.h"
#include "audit/render.h"
#include "core/utc_time.h"
#include "pg/pg_call_log_reader.h"
#include "projection/row_format.h"
#include "replay/import.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

namespace json = boost::json;
using server::HandleApiRequest;
using server::HttpResponse;
using testing::Encode;
using testing::Ledger;

// The same call log, read through the route functions' other endpoints.
std::string Collect(const HttpResponse& r, CallLogReader& reader) {
  std::string out = r.body;
  if (!r.next_chunk) return out;
  for (int i = 0; i < 100000; ++i) {
    auto chunk = r.next_chunk(reader);
    REQUIRE(chunk.ok());
    if (!*chunk) return out;
    out += **chunk;
  }
  FAIL("the stream does not end");
  return out;
}

TEST_CASE("CSV: every matching row, streamed a page at a time") {
  Ledger l;
  pg::PgCallLogReader reader(l.db().dsn());
  for (const std::string target : {"/api/calls.csv?limit=5", "/api/calls?format=csv&limit=5"}) {
    const HttpResponse r = l.Get(target);
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "text/csv; charset=utf-8");
    REQUIRE(r.next_chunk);
    const std::string csv = Collect(r, reader);
    // Header + every row, in the listing's order, as RowsToCsv writes them.
    CHECK(csv == projection::RowsToCsv(l.rows()));
  }
  server::ApiContext context{reader, nullptr, {}};
  const HttpResponse accept =
      HandleApiRequest({"GET", "/api/calls?direction=chiquvchi", "text/csv"}, context);
  std::vector<CallRow> outbound;
  for (const auto& r : l.rows()) {
    if (r.direction == "chiquvchi") outbound.push_back(r);
  }
  CHECK(Collect(accept, reader) == projection::RowsToCsv(outbound));
  CHECK(l.Get("/api/calls.csv?direction=x").status == 400);
}

TEST_CASE("stats and missed: figures over a period, bad parameters named") {
  Ledger l;
  const json::value st =
      l.GetJson("/api/stats?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z");
  // Every row of the ledger started that day: 2 nodes x the captures + 3
  // synthetic rows with a start time.
  const auto offered = std::count_if(l.rows().begin(), l.rows().end(),
                                     [](const CallRow& r) { return r.start_us != 0; });
  CHECK(st.at("offered").as_int64() == offered);
  const auto answered = std::count_if(l.rows().begin(), l.rows().end(), [](const CallRow& r) {
    return r.start_us != 0 && r.answered;
  });
  CHECK(st.at("answered").as_int64() == answered);
  CHECK(st.at("by_direction").at("kiruvchi").at("offered").as_int64() +
            st.at("by_direction").at("chiquvchi").at("offered").as_int64() <=
        offered);
  // Per node, and one node alone.
  std::int64_t by_node = 0;
  for (const auto& [node, figures] : st.at("by_node").as_object()) {
    by_node += figures.at("offered").as_int64();
    const json::value alone =
        l.GetJson("/api/stats?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z&node=" +
                  std::string(node));
    CHECK(alone.at("offered") == figures.at("offered"));
    CHECK(alone.at("by_node").as_object().size() == 1);
  }
  CHECK(by_node == offered);
  CHECK(st.at("by_node").as_object().size() >= 2);
  l.GetJson("/api/stats?node=pbx%20a", 400);
  CHECK(st.at("since") == "2026-11-26T00:00:00.000Z");
  CHECK(st.at("service_level_seconds") == 20);
  CHECK(l.GetJson(
             "/api/"
             "stats?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z&service_level_seconds=0")
            .at("service_level_seconds") == 0);
  // Grouped (issue 14): every group's key under group_by's name, its
  // figures, and the offered calls of the groups add up to the total.
  for (const std::string group : {"agent", "direction", "to_number", "node"}) {
    INFO(group);
    const json::value g = l.GetJson(
        "/api/stats?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z&group_by=" + group);
    CHECK(g.at("offered") == st.at("offered"));  // the rest of the answer is as before
    std::int64_t sum = 0;
    for (const auto& item : g.at("groups").as_array()) {
      CHECK((item.at(group).is_string() || item.at(group).is_null()));
      CHECK_FALSE(item.as_object().contains("interval"));
      CHECK(item.at("missed").is_int64());
      CHECK((item.at("longest_wait_seconds").is_number() ||
             item.at("longest_wait_seconds").is_null()));
      sum += item.at("offered").as_int64();
    }
    CHECK(sum == offered);
  }
  const json::value hours = l.GetJson(
      "/api/"
      "stats?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z&interval=hour&group_by=agent");
  REQUIRE_FALSE(hours.at("groups").as_array().empty());
  for (const auto& item : hours.at("groups").as_array()) {
    const std::string start(item.at("interval").as_string());
    CHECK(start.size() == 16);
    CHECK(start.substr(13) == ":00");  // an hour's start, in the configured zone
    CHECK(item.as_object().contains("agent"));
  }
  // Agents (issue 14): every agent of the period's rows, in byte order, its
  // calls those rows; nothing is live in this ledger, so every one is idle.
  const json::value agents =
      l.GetJson("/api/agents?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z");
  std::map<std::string, std::int64_t> want;
  for (const CallRow& r : l.rows()) {
    if (r.start_us != 0 && !r.agent.empty()) ++want[r.agent];
  }
  std::map<std::string, std::int64_t> got;
  std::string previous;
  for (const auto& a : agents.at("agents").as_array()) {
    const std::string name(a.at("agent").as_string());
    CHECK(name > previous);
    previous = name;
    got[name] = a.at("calls").as_int64();
    CHECK(a.at("state") == (std::any_of(l.rows().begin(), l.rows().end(),
                                        [&](const CallRow& r) {
                                          return r.status != CallStatus::kFinished &&
                                                 (r.agent == name || r.transferred_to == name);
                                        })
                                ? "talking"
                                : "idle"));
    CHECK(a.at("talk_seconds").is_number());
  }
  CHECK(got == want);
  CHECK_FALSE(want.empty());
  l.GetJson("/api/agents?group_by=agent", 400);
  l.GetJson("/api/stats?group_by=caller", 400);
  l.GetJson("/api/stats?interval=week", 400);
  // An empty period: zeros and nulls, not errors.
  const json::value empty =
      l.GetJson("/api/stats?since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z");
  CHECK(empty.at("offered") == 0);
  CHECK(empty.at("abandon_rate").is_null());
  // The default period is today in the configured zone: it parses and is a day.
  const json::value today = l.GetJson("/api/stats");
  const auto since = ParseIsoTimestamp(std::string(today.at("since").as_string()));
  const auto until = ParseIsoTimestamp(std::string(today.at("until").as_string()));
  REQUIRE(since);
  REQUIRE(until);
  CHECK(*until - *since >= 23LL * 3600 * 1'000'000);
  CHECK(*until - *since <= 25LL * 3600 * 1'000'000);

  const json::value missed =
      l.GetJson("/api/missed?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z");
  const auto abandoned = std::count_if(l.rows().begin(), l.rows().end(), [](const CallRow& r) {
    return r.start_us != 0 && r.direction == "kiruvchi" && !r.answered &&
           r.status == CallStatus::kFinished;
  });
  CHECK(missed.at("items").as_array().size() == static_cast<std::size_t>(abandoned));
  for (const auto& m : missed.at("items").as_array()) {
    CHECK(m.at("call").at("answered") == false);
    CHECK(m.at("resolved").is_bool());
  }
  CHECK(l.GetJson("/api/missed?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z&limit=1")
            .at("items")
            .as_array()
            .size() == std::min<std::size_t>(1, abandoned));
  // One node's missed calls: each node's list holds only its own, and the
  // lists add up to the whole (each node has some: the ledger holds the
  // captures on two nodes).
  REQUIRE(abandoned >= 2);
  std::size_t missed_by_node = 0;
  for (const auto& [node, figures] : st.at("by_node").as_object()) {
    const json::value one =
        l.GetJson("/api/missed?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z&node=" +
                  std::string(node));
    for (const auto& m : one.at("items").as_array()) CHECK(m.at("call").at("node") == node);
    missed_by_node += one.at("items").as_array().size();
  }
  CHECK(missed_by_node == static_cast<std::size_t>(abandoned));
  CHECK(l.GetJson("/api/missed?open=true&node=nobody").at("items").as_array().empty());

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/api/stats?since=yesterday", "since"},
      {"/api/stats?until=2026-11-26", "until"},
      {"/api/stats?service_level_seconds=-1", "service_level_seconds"},
      {"/api/stats?service_level_seconds=3601", "service_level_seconds"},
      {"/api/stats?number=1", "number"},
      {"/api/missed?open=maybe", "open"},
      {"/api/missed?limit=0", "limit"},
      {"/api/missed?limit=1001", "limit"},
      {"/api/missed?since=2026-11-26T00:00:00", "since"},
      {"/api/missed?status=kelyapti", "status"},
      {"/api/missed?node=pbx%20a", "node"},
      {"/api/missed?node=", "node"},
  };
  for (const auto& [target, parameter] : bad) {
    INFO(target);
    const json::value v = l.GetJson(target, 400);
    CHECK(v.at("parameter") == json::value(parameter));
  }
  // A period that ends before it starts says so.
  CHECK(l.Get("/api/stats?since=2026-11-27T00:00:00Z&until=2026-11-26T00:00:00Z").status == 400);

  const std::string before = l.Count();
  for (const std::string a : {"' OR 1=1 --", "'; DROP TABLE call_logs; --"}) {
    for (const std::string p : {"since", "until", "service_level_seconds"}) {
      CHECK(l.Get("/api/stats?" + p + "=" + Encode(a)).status == 400);
    }
    for (const std::string p : {"since", "until", "open", "limit", "node"}) {
      CHECK(l.Get("/api/missed?" + p + "=" + Encode(a)).status == 400);
    }
  }
  CHECK(l.Count() == before);
}

TEST_CASE("events: a call's raw ledger records, as ledger-audit call lists them") {
  Ledger l;
  store::MemoryEventLog ledger("pbx-a");
  auto imported =
      replay::ImportJsonl(testing::CaptureDir() / "a-inbound-answered.observer.jsonl", ledger, {});
  REQUIRE(imported.ok());
  pg::PgCallLogReader reader(l.db().dsn());
  server::ApiContext context{reader, &ledger, {}};
  const HttpResponse r = HandleApiRequest({"GET", "/api/calls/1795684558.5/events", ""}, context);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const json::value v = json::parse(r.body);
  CHECK(v.at("call_id") == "1795684558.5");
  auto history = audit::CollectCall(ledger, "1795684558.5");
  REQUIRE(history.ok());
  const auto& records = v.at("records").as_array();
  REQUIRE(records.size() == history->seqs.size());
  std::size_t i = 0;
  REQUIRE(audit::VisitSeqs(ledger, history->seqs, [&](const Record& rec) {
            CHECK(json::parse(audit::RecordJsonLine(rec)) == records.at(i++));
            return true;
          }).ok());
  CHECK(HandleApiRequest({"GET", "/api/calls/nobody/events", ""}, context).status == 404);
  CHECK(HandleApiRequest({"GET", "/api/calls/" + Encode("' OR 1=1 --") + "/events", ""}, context)
            .status == 404);
}

}  // namespace
}  // namespace callledger
