// What the daemon prints of its configuration: URLs and connection strings
// with their secrets hidden, and Redacted(), which shows every key and no
// secret and loads back as the same configuration.
#include "daemon/config.h"

#include <catch2/catch.hpp>
#include <string>

#include "config_checks.h"
#include "support/temp_dir.h"

namespace callledger::daemon {
namespace {

using Catch::Contains;
using config_checks::kAriPassword;
using config_checks::kDbPassword;
using config_checks::kToken;
using config_checks::Load;
using config_checks::Options;
using config_checks::Valid;
using config_checks::WriteFile;

TEST_CASE("RedactUrl hides userinfo passwords and secret query parameters") {
  CHECK(RedactUrl("postgresql://ledger:Db-S3cret@db.example.com:5432/calls") ==
        "postgresql://ledger:***@db.example.com:5432/calls");
  CHECK(RedactUrl("postgresql://ledger:p%40ss/w@rd@db/calls?sslmode=require") ==
        "postgresql://ledger:***@db/calls?sslmode=require");
  CHECK(
      RedactUrl("ws://localhost:8088/ari/events?api_key=backend:CallCenter2025&app=call-center") ==
      "ws://localhost:8088/ari/events?api_key=***&app=call-center");
  CHECK(RedactUrl("/ari/channels?API_KEY=u:p") == "/ari/channels?API_KEY=***");
  CHECK(RedactUrl("postgresql://db/calls?user=ledger&password=x#frag") ==
        "postgresql://db/calls?user=ledger&password=***#frag");
  CHECK(RedactUrl("http://user@host:8088/ari") == "http://user@host:8088/ari");
  CHECK(RedactUrl("http://127.0.0.1:8088") == "http://127.0.0.1:8088");
  CHECK(RedactUrl("not a url") == "not a url");
}

TEST_CASE("RedactConnectionString handles URIs, keyword strings and garbage") {
  CHECK(RedactConnectionString("postgres://u:pw@h/db") == "postgres://u:***@h/db");
  CHECK(RedactConnectionString("host=127.0.0.1 dbname=calls user=ledger password=pw port=5432") ==
        "host=127.0.0.1 dbname=calls user=ledger password=*** port=5432");
  CHECK(RedactConnectionString("password = 'pw' host=db") == "password=*** host=db");
  CHECK(RedactConnectionString("host=db password='with spaces \\' and quote' dbname=x") ==
        "host=db password=*** dbname=x");
  CHECK(RedactConnectionString("host=db password=esc\\ aped dbname=x") ==
        "host=db password=*** dbname=x");
  CHECK(RedactConnectionString(kDbPassword) == "***");
  CHECK(RedactConnectionString("host=db password='unterminated") == "***");
}

TEST_CASE("Redacted shows every key and no secret") {
  for (const std::string& db :
       {std::string("postgresql://ledger:") + kDbPassword + "@db.example.com:5432/calls",
        std::string("host=db user=ledger password='") + kDbPassword + "' dbname=calls"}) {
    DaemonConfig c = Valid();
    c.ari.auth = AriAuth::kApiKeyQuery;
    c.database.url = Secret(db);
    c.http.bearer_token = Secret(kToken);
    c.http.listen = "0.0.0.0:8095";
    c.sources["ari.password"] = "environment variable ARI_PASSWORD";
    REQUIRE(Validate(c).ok());
    const std::string text = Redacted(c);
    INFO(text);
    CHECK_THAT(text, !Contains(kAriPassword));
    CHECK_THAT(text, !Contains(kDbPassword));
    CHECK_THAT(text, !Contains(kToken));
    CHECK_THAT(text, Contains("password = \"***\""));
    CHECK_THAT(text, Contains("bearer_token = \"***\""));
    CHECK_THAT(text, Contains("# environment variable ARI_PASSWORD"));
    CHECK_THAT(text, Contains("ARI events     ws://127.0.0.1:8088/ari/events?app=call-ledger&"
                              "subscribeAll=true&api_key=***"));
    CHECK_THAT(text, Contains("ARI REST base  http://127.0.0.1:8088/ari"));
    CHECK_THAT(text, Contains("mode           observer"));
    for (const auto& key : ConfigKeys()) {
      std::string name(key.key.substr(key.key.find('.') + 1));
      CHECK_THAT(text, Contains("\n" + name + " = "));
    }
  }
}

TEST_CASE("Redacted output is TOML that loads back to the same configuration") {
  testing::TempDir dir;
  DaemonConfig c = Valid();
  c.ari.base_url = "https://pbx.example.com:8089";
  c.ari.ca_file = dir / "ca.pem";
  WriteFile(*c.ari.ca_file, "not checked here\n");
  c.ledger.queue_frames = 4096;
  c.log.level = LogLevel::kCritical;
  c.projector.recordings_dir = "/srv/rec \"quoted\"";
  WriteFile(dir / "dump.toml", Redacted(c));
  LoadOptions o = Options(dir);
  o.config_file = dir / "dump.toml";
  o.environment["DATABASE_URL"] = c.database.url.Reveal();  // the dump shows the password as ***
  o.environment["ARI_PASSWORD"] = c.ari.password.Reveal();
  DaemonConfig back = Load(o);
  CHECK(back == c);
}

}  // namespace
}  // namespace callledger::daemon
