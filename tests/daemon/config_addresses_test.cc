// The daemon's addresses: the ARI base URL (its REST base and events URL,
// and what is refused), the events query with its credentials, host:port
// and loopback detection, and the bearer token needed off loopback.
#include "daemon/config.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "config_checks.h"
#include "support/temp_dir.h"

namespace callledger::daemon {
namespace {

using Catch::Contains;
using config_checks::kAriPassword;
using config_checks::kToken;
using config_checks::Load;
using config_checks::LoadError;
using config_checks::Options;
using config_checks::Valid;

TEST_CASE("the ARI base URL gives the REST base and the events URL") {
  struct Case {
    std::string base, rest, events;
  };
  for (const Case& c : std::vector<Case>{
           {"http://127.0.0.1:8088", "http://127.0.0.1:8088/ari", "ws://127.0.0.1:8088/ari/events"},
           {"http://127.0.0.1:8088/", "http://127.0.0.1:8088/ari",
            "ws://127.0.0.1:8088/ari/events"},
           {"https://pbx.example.com:8089//", "https://pbx.example.com:8089/ari",
            "wss://pbx.example.com:8089/ari/events"},
           {"http://localhost:8088/ari", "http://localhost:8088/ari",
            "ws://localhost:8088/ari/events"},
           {"HTTPS://pbx/ari/", "https://pbx/ari", "wss://pbx/ari/events"},
           {"https://proxy.example.com/pbx1/ari", "https://proxy.example.com/pbx1/ari",
            "wss://proxy.example.com/pbx1/ari/events"},
           {"http://[::1]:8088", "http://[::1]:8088/ari", "ws://[::1]:8088/ari/events"},
       }) {
    INFO(c.base);
    AriConfig ari;
    ari.base_url = c.base;
    auto rest = ari.RestBase();
    auto events = ari.EventsUrl();
    REQUIRE(rest.ok());
    REQUIRE(events.ok());
    CHECK(*rest == c.rest);
    CHECK(*events == c.events);
  }

  auto ep = ParseAriBaseUrl("https://pbx.example.com/pbx1/");
  REQUIRE(ep.ok());
  CHECK(ep->transport == Transport::kTls);
  CHECK(ep->host == "pbx.example.com");
  CHECK(ep->port == 443);
  CHECK_FALSE(ep->port_written);
  CHECK(ep->EventsPath() == "/pbx1/ari/events");
  CHECK(ep->RestPath("/asterisk/info") == "/pbx1/ari/asterisk/info");
  ep = ParseAriBaseUrl("http://[::1]:8088");
  REQUIRE(ep.ok());
  CHECK(ep->host == "::1");
  CHECK(ep->port == 8088);
  CHECK(ep->Authority() == "[::1]:8088");
}

TEST_CASE("ARI base URLs with other schemes or parts are rejected, naming the source") {
  for (const char* bad :
       {"ws://127.0.0.1:8088", "wss://pbx:8089/ari/events", "ftp://pbx", "127.0.0.1:8088",
        "http://", "http://pbx:0", "http://pbx:99999", "http://pbx:8088/ari/events",
        "http://pbx:8088/?app=x", "http://pbx name:8088", "http://::1:8088"}) {
    INFO(bad);
    CHECK_FALSE(ParseAriBaseUrl(bad).ok());
  }
  CHECK_THAT(ParseAriBaseUrl("ws://127.0.0.1:8088/ari/events").status().message(),
             Contains("give the http:// or https:// base"));

  // Credentials belong in ari.user / ari.password, and the error hides them.
  std::string url = std::string("http://backend:") + kAriPassword + "@127.0.0.1:8088";
  auto parsed = ParseAriBaseUrl(url);
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.status().message(), Contains("ARI_PASSWORD"));
  CHECK_THAT(parsed.status().message(), !Contains(kAriPassword));

  testing::TempDir dir;
  LoadOptions o = Options(dir);
  o.environment["ARI_URL"] = "ftp://pbx";
  CHECK_THAT(LoadError(o), Contains("ari.base_url (environment variable ARI_URL): scheme ftp://"));
}

TEST_CASE("the events query carries app and subscribeAll, and api_key only when asked") {
  AriConfig ari;
  ari.user = "backend";
  ari.password = Secret("Call Center&2025");
  CHECK(ari.EventsQuery() == "app=call-ledger&subscribeAll=true");
  CHECK(ari.ApiKeyParam().empty());

  ari.subscribe_all = false;
  ari.app = "call-center";
  ari.auth = AriAuth::kApiKeyQuery;
  CHECK(ari.EventsQuery() ==
        "app=call-center&subscribeAll=false&api_key=backend:Call%20Center%262025");
  CHECK(ari.ApiKeyParam() == "api_key=backend:Call%20Center%262025");
  CHECK(RedactUrl("ws://pbx:8088/ari/events?" + ari.EventsQuery()) ==
        "ws://pbx:8088/ari/events?app=call-center&subscribeAll=false&api_key=***");
}

TEST_CASE("host:port parsing and loopback detection") {
  auto hp = ParseHostPort("127.0.0.1:8095");
  REQUIRE(hp.ok());
  CHECK(hp->host == "127.0.0.1");
  CHECK(hp->port == 8095);
  hp = ParseHostPort("[::1]:0");
  REQUIRE(hp.ok());
  CHECK(hp->host == "::1");
  CHECK(hp->port == 0);
  for (const char* bad : {"127.0.0.1", "8095", ":8095", "[::1]", "::1:8095", "host:http",
                          "host:65536", "[nothex]:80", "a b:80", ""}) {
    INFO(bad);
    CHECK_FALSE(ParseHostPort(bad).ok());
  }
  for (const char* yes : {"localhost", "LocalHost", "127.0.0.1", "127.1.2.3", "::1",
                          "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"}) {
    INFO(yes);
    CHECK(IsLoopbackHost(yes));
  }
  for (const char* no :
       {"0.0.0.0", "::", "10.0.0.5", "pbx.example.com", "128.0.0.1", "localhost.evil.com"}) {
    INFO(no);
    CHECK_FALSE(IsLoopbackHost(no));
  }
}

TEST_CASE("listening off loopback requires a bearer token") {
  testing::TempDir dir;
  LoadOptions o = Options(dir);
  o.environment["HTTP_LISTEN"] = "0.0.0.0:8095";
  CHECK_THAT(LoadError(o), Contains("http.listen (environment variable HTTP_LISTEN): "
                                    "\"0.0.0.0:8095\" is not a loopback address: set "
                                    "http.bearer_token"));
  o.environment["HTTP_BEARER_TOKEN"] = kToken;
  CHECK(Load(o).http.bearer_token.Reveal() == kToken);

  o.environment["HTTP_BEARER_TOKEN"] = "short";
  CHECK_THAT(LoadError(o), Contains("http.bearer_token (environment variable HTTP_BEARER_TOKEN): "
                                    "is shorter than 16 characters"));

  for (const char* loopback : {"127.0.0.1:8095", "localhost:9000", "[::1]:8095"}) {
    DaemonConfig c = Valid();
    c.http.listen = loopback;
    CHECK(Validate(c).ok());
  }
  DaemonConfig c = Valid();
  c.http.listen = "127.0.0.1";
  CHECK_THAT(Validate(c).message(),
             Contains("http.listen (default): \"127.0.0.1\": expected host:port"));
}

}  // namespace
}  // namespace callledger::daemon
