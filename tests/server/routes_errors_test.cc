// The HTTP API's answers to bad requests, on a real PostgreSQL
// (server/api_ledger.h): 400 naming the parameter, SQL injection attempts
// refused or finding nothing, unknown paths and other methods, and 503 when
// the database session ends (the next request reconnects).
#include "server/routes.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "api_ledger.h"
#include "server/call_query.h"

namespace callledger {
namespace {

namespace json = boost::json;
using server::HttpResponse;
using testing::Encode;
using testing::Ledger;

TEST_CASE("bad parameters give 400 naming the parameter") {
  Ledger l;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"number=abc", "number"},
      {"number=", "number"},
      {"number=%2B", "number"},
      {"number=*", "number"},
      {"number=12%2B3", "number"},
      {"number=12*3*", "number"},
      {"number=%2012", "number"},
      {"direction=in", "direction"},
      {"direction=", "direction"},
      {"status=done", "status"},
      {"answered=yes", "answered"},
      {"answered=1", "answered"},
      {"recorded=TRUE", "recorded"},
      {"since=2026-11-26T09:15:58", "since"},
      {"since=yesterday", "since"},
      {"until=2026-13-01T00:00:00Z", "until"},
      {"evidence=ARI", "evidence"},
      {"evidence=", "evidence"},
      {"end_reason=crash", "end_reason"},
      {"end_reason=", "end_reason"},
      {"node=", "node"},
      {"node=pbx%201", "node"},
      {"node=pbx/1", "node"},
      {"agent=", "agent"},
      {"agent=10%0A1", "agent"},
      {"agent=" + std::string(81, '1'), "agent"},
      {"min_duration=-1", "min_duration"},
      {"min_duration=1.5", "min_duration"},
      {"min_duration=99999999999", "min_duration"},
      {"min_duration=", "min_duration"},
      {"limit=0", "limit"},
      {"limit=1001", "limit"},
      {"limit=ten", "limit"},
      {"limit=%2B5", "limit"},
      {"cursor=abc!", "cursor"},
      {"cursor=AAAA", "cursor"},
      {"cursor=", "cursor"},
      {"bogus=1", "bogus"},
      {"limit=5&limit=6", "limit"},
      {"number=%G1", "number"},
  };
  for (const auto& [query, parameter] : cases) {
    const json::value v = l.GetJson("/api/calls?" + query, 400);
    CHECK(v.at("parameter").as_string() == parameter);
    CHECK(std::string(v.at("error").as_string()).find(parameter) != std::string::npos);
  }
}

TEST_CASE("SQL injection attempts are refused or find nothing") {
  Ledger l;
  const std::string before = l.Count();
  REQUIRE(before == std::to_string(l.rows().size()));
  const std::vector<std::string> attacks = {"' OR 1=1 --", "'; DROP TABLE call_logs; --",
                                            "1' OR '1'='1", "1; DELETE FROM call_logs"};
  for (const auto& a : attacks) {
    for (const std::string p :
         {"number", "direction", "status", "answered", "recorded", "since", "until", "min_duration",
          "evidence", "end_reason", "node", "limit", "cursor"}) {
      const json::value v = l.GetJson("/api/calls?" + p + "=" + Encode(a), 400);
      CHECK(v.at("parameter").as_string() == p);
      l.GetJson("/api/calls?" + Encode(a) + "=1", 400);
    }
    l.GetJson("/api/calls/" + Encode(a), 404);
    // An agent's extension is free text: bound, it finds nothing.
    CHECK(l.GetJson("/api/calls?agent=" + Encode(a)).at("items").as_array().empty());
    // A well-formed cursor carrying the attack: bound, so just a position.
    const json::value page =
        l.GetJson("/api/calls?cursor=" + server::EncodeCursor({l.rows()[0].start_us, a, a}));
    CHECK(page.at("items").as_array().size() <= 50);
  }
  CHECK(l.Count() == before);
}

TEST_CASE("unknown paths, other methods, unavailable database") {
  Ledger l;
  CHECK(l.Get("/api/nope").status == 404);
  CHECK(l.Get("/api/calls/x/events").status == 503);  // this context has no ledger
  CHECK(l.Get("/api/calls/").status == 404);
  CHECK(l.Send({"POST", "/api/calls", ""}).status == 405);
  CHECK(l.Send({"DELETE", "/api/calls/abc", ""}).status == 405);
  CHECK(l.Send({"POST", "/api/other", ""}).status == 404);

  // The server ends our session: the next request says 503, not an exception.
  REQUIRE(l.Get("/api/calls").status == 200);  // the reader is connected
  l.db().Exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
      "AND pid <> pg_backend_pid()");
  const HttpResponse r = l.Get("/api/calls");
  INFO(r.body);
  CHECK(r.status == 503);
  CHECK(json::parse(r.body).at("error").is_string());
  // ... and the one after reconnects.
  CHECK(l.Get("/api/calls").status == 200);
}

}  // namespace
}  // namespace callledger
