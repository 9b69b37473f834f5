// The server's pure parts: who may connect (auth), the health verdict and
// the live feed's messages.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "server/auth.h"
#include "server/health.h"
#include "server/live_feed.h"

namespace callledger {
namespace {

namespace json = boost::json;
using server::AuthDecision;
using server::Authorize;
using server::AuthPolicy;

TEST_CASE("auth: without a token only loopback clients are served") {
  const AuthPolicy none{"", true};
  CHECK(Authorize(none, true, "", "") == AuthDecision::kAllow);
  CHECK(Authorize(none, false, "", "") == AuthDecision::kForbidden);
  CHECK(Authorize(none, false, "Bearer anything-at-all-here", "") == AuthDecision::kForbidden);
}

TEST_CASE("auth: with a token, others need it; loopback as configured") {
  const std::string token = "s3cret-token-0123456789";
  const AuthPolicy open_loopback{token, true};
  const AuthPolicy strict{token, false};
  CHECK(Authorize(open_loopback, true, "", "") == AuthDecision::kAllow);
  CHECK(Authorize(strict, true, "", "") == AuthDecision::kUnauthorized);
  for (const AuthPolicy& p : {open_loopback, strict}) {
    CHECK(Authorize(p, false, "", "") == AuthDecision::kUnauthorized);
    CHECK(Authorize(p, false, "Bearer " + token, "") == AuthDecision::kAllow);
    CHECK(Authorize(p, false, "", token) == AuthDecision::kAllow);
    CHECK(Authorize(p, false, "Bearer " + token + "x", "") == AuthDecision::kUnauthorized);
    CHECK(Authorize(p, false, "Bearer " + token.substr(1), "") == AuthDecision::kUnauthorized);
    CHECK(Authorize(p, false, "Basic " + token, "") == AuthDecision::kUnauthorized);
    CHECK(Authorize(p, false, "bearer " + token, "") == AuthDecision::kUnauthorized);
  }
}

TEST_CASE("access_token is taken out of the target") {
  using server::TakeAccessToken;
  CHECK(TakeAccessToken("/api/live") == std::pair<std::string, std::string>("/api/live", ""));
  CHECK(TakeAccessToken("/api/live?access_token=abc%2Bd") ==
        std::pair<std::string, std::string>("/api/live", "abc+d"));
  CHECK(TakeAccessToken("/api/calls?number=1&access_token=t&limit=2") ==
        std::pair<std::string, std::string>("/api/calls?number=1&limit=2", "t"));
  CHECK(TakeAccessToken("/api/calls?x_access_token=t") ==
        std::pair<std::string, std::string>("/api/calls?x_access_token=t", ""));
}

TEST_CASE("healthz: 200 only when every part works and the lag is small") {
  server::HealthReport ok{true, true, true, 100, 100, 0.0};
  auto r = server::HealthResponse(ok, 30);
  CHECK(r.status == 200);
  CHECK(json::parse(r.body).at("status") == "ok");

  struct Case {
    server::HealthReport report;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {{false, true, true, 100, 100, 0}, "ARI is not connected"},
      {{true, false, true, 100, 100, 0}, "the last ledger append failed"},
      {{true, true, false, 100, 90, 0}, "PostgreSQL is not reachable"},
      {{true, true, true, 100, 50, 31}, "behind the ledger"},
  };
  for (const auto& c : cases) {
    const auto bad = server::HealthResponse(c.report, 30);
    INFO(bad.body);
    CHECK(bad.status == 503);
    const auto body = json::parse(bad.body);
    CHECK(body.at("status") == "unhealthy");
    REQUIRE(body.at("problems").as_array().size() == 1);
    CHECK(std::string(body.at("problems").as_array()[0].as_string()).find(c.problem) !=
          std::string::npos);
  }
  const auto lagging = json::parse(server::HealthResponse(cases[3].report, 30).body);
  CHECK(lagging.at("projector_lag_records") == 50);
  CHECK(lagging.at("projector_lag_ms") == 31000);
}

TEST_CASE("live feed messages: snapshot and changes carry the seq and whole rows") {
  CallRow row;
  row.node = "pbx-1";
  row.call_id = "call \"quoted\" ʻ";
  row.status = CallStatus::kTalking;
  row.first_seq = Seq{3};
  row.last_seq = Seq{9};
  const auto snapshot = json::parse(server::SnapshotMessage(LiveCalls{Seq{9}, {row}}));
  CHECK(snapshot.at("type") == "snapshot");
  CHECK(snapshot.at("seq") == 9);
  REQUIRE(snapshot.at("calls").as_array().size() == 1);
  CHECK(snapshot.at("calls").as_array()[0].at("call_id") == "call \"quoted\" ʻ");
  CHECK(snapshot.at("calls").as_array()[0].at("status") == "suhbatda");

  RowChange gone{RowChange::Op::kDelete, row};
  RowChange up{RowChange::Op::kUpsert, row};
  const auto changes = json::parse(server::ChangesMessage(Seq{12}, {up, gone}));
  CHECK(changes.at("type") == "changes");
  CHECK(changes.at("seq") == 12);
  const auto& list = changes.at("changes").as_array();
  REQUIRE(list.size() == 2);
  CHECK(list[0].at("op") == "upsert");
  CHECK(list[0].at("call").at("last_seq") == 9);
  CHECK(list[1].at("op") == "delete");
  CHECK(list[1].at("call_id") == "call \"quoted\" ʻ");
  CHECK(list[1].at("node") == "pbx-1");
  CHECK(json::parse(server::SnapshotMessage(LiveCalls{Seq{0}, {}})).at("calls").as_array().empty());
}

}  // namespace
}  // namespace callledger
