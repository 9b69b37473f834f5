// The daemon's configuration files as written by hand: .env quoting,
// comments, `export` and line endings; and what is wrong in them or in the
// environment (syntax, unknown or misspelt keys, wrong types), reported with
// the file, the line and the key, never a secret's value.
#include "daemon/config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>

#include "config_checks.h"
#include "support/temp_dir.h"

namespace callledger::daemon {
namespace {

using Catch::Contains;
namespace fs = std::filesystem;
using config_checks::kAriPassword;
using config_checks::Load;
using config_checks::LoadError;
using config_checks::Options;
using config_checks::WriteFile;

TEST_CASE(".env quoting, comments, export and line endings") {
  testing::TempDir dir;
  WriteFile(dir / ".env",
            "# the seed's backend/.env style\n"
            "\n"
            "export ARI_USER=backend\n"
            "ARI_PASSWORD = \"p#ss word \\\"q\\\"\"   # a comment\n"
            "ARI_APP='literal \\n app'\n"
            "CALL_APP=call-center   # inline comment after a space\n"
            "RECORDINGS_DIR=/rec#not-a-comment\r\n"
            "   LEDGER_DIR =   /srv/ledger   \n"
            "HTTP_LISTEN= # empty, then a comment\n"
            "HTTP_BEARER_TOKEN=#starts-with-a-hash-0123\n"
            "PORT=3000\n"
            "DB_HOST=localhost\n");
  LoadOptions o = Options(dir);
  o.environment.erase("ARI_USER");
  o.environment.erase("ARI_PASSWORD");
  o.environment["HTTP_LISTEN"] = "127.0.0.1:8095";  // the empty .env value is overridden
  // ARI_APP has a space and a backslash: loading fails validation, so look
  // at the parsed values through a config that allows them.
  o.environment["ARI_APP"] = "call-ledger";
  DaemonConfig c = Load(o);
  CHECK(c.ari.user == "backend");
  CHECK(c.ari.password.Reveal() == "p#ss word \"q\"");
  CHECK(c.projector.call_app == "call-center");
  CHECK(c.projector.recordings_dir == fs::path("/rec#not-a-comment"));
  CHECK(c.ledger.dir == fs::path("/srv/ledger"));
  CHECK(c.http.bearer_token.Reveal() == "#starts-with-a-hash-0123");
  CHECK(c.sources.at("http.listen") == "environment variable HTTP_LISTEN");

  o.environment.erase("ARI_APP");
  std::string error = LoadError(o);
  CHECK_THAT(error, Contains("ari.app (" + (dir / ".env").string() + ":5 (ARI_APP))"));
  CHECK_THAT(error, Contains("\"literal \\\\n app\""));  // single quotes are literal
}

TEST_CASE(".env syntax errors name the file, the line and the key, never the value") {
  testing::TempDir dir;
  WriteFile(dir / ".env", "ARI_USER=ok\nthis line is wrong\nARI_PASSWORD=\"unterminated-" +
                              std::string(kAriPassword) + "\nARI_APP='x' trailing\n");
  std::string error = LoadError(Options(dir));
  const std::string file = (dir / ".env").string();
  CHECK_THAT(error, Contains(file + ":2: expected KEY=VALUE"));
  CHECK_THAT(error, Contains(file + ":3: unterminated quote in the value of ARI_PASSWORD"));
  CHECK_THAT(error, Contains(file + ":4: unexpected text after the closing quote of ARI_APP"));
  CHECK_THAT(error, !Contains(kAriPassword));
}

TEST_CASE(".env keys that look like ours but are not are warned about, others ignored") {
  testing::TempDir dir;
  WriteFile(dir / ".env",
            "ARI_USERNAME=backend\nNODE_ENV=production\nPORT=3000\nHTTP_PROXY=x\nLOGLEVEL=debug\n");
  DaemonConfig c = Load(Options(dir));
  REQUIRE(c.warnings.size() == 2);
  CHECK_THAT(c.warnings[0], Contains(":1: ARI_USERNAME is not a call-ledger setting"));
  CHECK_THAT(c.warnings[1], Contains(":5: LOGLEVEL is not a call-ledger setting"));
  CHECK(c.log.level == LogLevel::kInfo);
}

TEST_CASE("bad values in the environment name the key and the variable") {
  testing::TempDir dir;
  LoadOptions o = Options(dir);
  o.environment["ARI_SUBSCRIBE_ALL"] = "maybe";
  o.environment["SYNC_INTERVAL_MS"] = "5ms";
  o.environment["ARI_AUTH"] = "digest";
  o.environment["LOG_LEVEL"] = "verbose";
  std::string error = LoadError(o);
  CHECK_THAT(error, Contains("ari.subscribe_all (environment variable ARI_SUBSCRIBE_ALL): "
                             "expected true/false/1/0/yes/no, got \"maybe\""));
  CHECK_THAT(error, Contains("ledger.sync_interval_ms (environment variable SYNC_INTERVAL_MS): "
                             "expected an integer"));
  CHECK_THAT(error, Contains("ari.auth (environment variable ARI_AUTH)"));
  CHECK_THAT(error, Contains("log.level (environment variable LOG_LEVEL)"));

  for (const auto& [text, value] : std::map<std::string, bool>{{"true", true},
                                                               {"YES", true},
                                                               {"1", true},
                                                               {"false", false},
                                                               {"no", false},
                                                               {"0", false}}) {
    LoadOptions ok = Options(dir);
    ok.environment["ARI_SUBSCRIBE_ALL"] = text;
    ok.environment["ARI_APP"] = "call-center";  // keeps the config sensible when false
    CHECK(Load(ok).ari.subscribe_all == value);
  }
}

TEST_CASE("unknown sections and keys in TOML are errors that name them and the file") {
  testing::TempDir dir;
  const fs::path toml = dir / "config.toml";
  WriteFile(toml,
            "[ari]\npasword = \"x\"\n\n[ledgr]\ndir = \"/x\"\n\n[http]\nnode = \"n\"\n"
            "\nstray = 1\n");
  LoadOptions o = Options(dir);
  o.config_file = toml;
  std::string error = LoadError(o);
  const std::string file = toml.string();
  CHECK_THAT(error, Contains(file + ":2:1: unknown key ari.pasword (did you mean ari.password?)"));
  CHECK_THAT(error, Contains(file + ":4:2: unknown section [ledgr] (did you mean ledger?)"));
  CHECK_THAT(error, Contains(file + ":8:1: unknown key http.node (did you mean ledger.node?)"));
  CHECK_THAT(error, Contains(file + ":10:1: unknown key http.stray"));
  // All of them, in file order.
  CHECK(error.find("ari.pasword") < error.find("[ledgr]"));
  CHECK(error.find("[ledgr]") < error.find("http.node"));
}

TEST_CASE("wrong TOML types name the key, the expected type and the file") {
  testing::TempDir dir;
  const fs::path toml = dir / "config.toml";
  WriteFile(toml,
            "[ari]\nsubscribe_all = \"yes\"\nreconnect_max_ms = 1.5\npassword = 1234\n"
            "[ledger]\nqueue_frames = -1\n[log]\nlevel = 3\n[http]\nlisten = [\"a\"]\n");
  LoadOptions o = Options(dir);
  o.config_file = toml;
  std::string error = LoadError(o);
  const std::string file = toml.string();
  CHECK_THAT(error, Contains("ari.subscribe_all (" + file +
                             ":2:17): expected a boolean (true or false), got a string"));
  CHECK_THAT(error, Contains("ari.reconnect_max_ms (" + file +
                             ":3:20): expected an integer (milliseconds), got a float"));
  CHECK_THAT(error,
             Contains("ari.password (" + file + ":4:12): expected a string, got an integer"));
  CHECK_THAT(error, Contains("ledger.queue_frames (" + file + ":6:16): expected a non-negative"));
  CHECK_THAT(error, Contains("log.level (" + file + ":8:9): expected a string"));
  CHECK_THAT(error, Contains("http.listen (" + file + ":10:10): expected a string, got an array"));

  WriteFile(toml, "ari = 1\n");
  CHECK_THAT(LoadError(o), Contains("ari (" + file + ":1:7): expected a table ([ari])"));
}

TEST_CASE("TOML syntax errors give the place and do not echo a secret") {
  testing::TempDir dir;
  const fs::path toml = dir / "config.toml";
  WriteFile(toml, "[ari]\nuser = \"ledger\"\npassword = " + std::string(kAriPassword) + "\n");
  LoadOptions o = Options(dir);
  o.config_file = toml;
  std::string error = LoadError(o);
  CHECK_THAT(error, Contains(toml.string() + ":3:"));
  CHECK_THAT(error, Contains("not valid TOML"));
  CHECK_THAT(error, !Contains(kAriPassword));
}

}  // namespace
}  // namespace callledger::daemon
