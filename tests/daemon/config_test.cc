#include "daemon/config.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "support/temp_dir.h"

namespace callledger::daemon {
namespace {

using Catch::Contains;
namespace fs = std::filesystem;

constexpr char kAriPassword[] = "Ari-S3cret-pw";
constexpr char kDbPassword[] = "Db-S3cret-pw";
constexpr char kToken[] = "Bearer-S3cret-token-0123";

void WriteFile(const fs::path& path, const std::string& text,
               fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
  std::ofstream(path, std::ios::binary) << text;
  fs::permissions(path, perms);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Options that see only `dir` (no stray .env from the build tree) and a
// fixed host name; the environment holds what the defaults cannot.
LoadOptions Options(const testing::TempDir& dir) {
  LoadOptions o;
  o.working_directory = dir.path();
  o.host_name = "pbx-test";
  o.environment = {{"ARI_USER", "ledger"},
                   {"ARI_PASSWORD", kAriPassword},
                   {"DATABASE_URL", "postgresql://ledger@127.0.0.1/call_ledger"}};
  return o;
}

DaemonConfig Load(const LoadOptions& options) {
  auto loaded = LoadConfig(options);
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  return *loaded;
}

std::string LoadError(const LoadOptions& options, Code code = Code::kInvalidInput) {
  auto loaded = LoadConfig(options);
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().code() == code);
  return loaded.status().message();
}

// A valid configuration built in code, for Validate and Redacted.
DaemonConfig Valid() {
  DaemonConfig c;
  c.ari.user = "ledger";
  c.ari.password = Secret(kAriPassword);
  c.ledger.node = "pbx-1";
  c.database.url = Secret("postgresql://ledger@127.0.0.1/call_ledger");
  return c;
}

TEST_CASE("defaults are the documented ones") {
  const DaemonConfig c;
  CHECK(c.ari.base_url == "http://127.0.0.1:8088");
  CHECK(c.ari.user.empty());
  CHECK(c.ari.password.empty());
  CHECK(c.ari.app == "call-ledger");
  CHECK(c.ari.subscribe_all);
  CHECK(c.ari.auth == AriAuth::kBasic);
  CHECK(c.ari.verify_tls);
  CHECK_FALSE(c.ari.ca_file.has_value());
  CHECK(c.ari.reconnect_initial_ms.count() == 500);
  CHECK(c.ari.reconnect_max_ms.count() == 30000);
  CHECK(c.ari.ping_interval_ms.count() == 10000);
  CHECK(c.ledger.dir == fs::path("/var/lib/call-ledger/ledger"));
  CHECK(c.ledger.sync_interval_ms.count() == 5);
  CHECK(c.ledger.queue_frames == 65536);
  CHECK(c.ledger.max_frame_bytes == 1024 * 1024);
  CHECK(c.projector.call_app == "call-center");
  CHECK(c.projector.recordings_dir == fs::path("/var/spool/asterisk/recording"));
  CHECK(c.database.url.empty());
  CHECK(c.database.batch_records == 1000);
  CHECK(c.http.listen == "127.0.0.1:8095");
  CHECK(c.http.bearer_token.empty());
  CHECK(c.http.allow_loopback_without_token);
  CHECK(c.log.level == LogLevel::kInfo);
}

TEST_CASE("loading with only the required values gives the defaults and the host name") {
  testing::TempDir dir;
  DaemonConfig c = Load(Options(dir));
  DaemonConfig expected = Valid();
  expected.ledger.node = "pbx-test";
  CHECK(c == expected);
  CHECK(c.sources.at("ledger.node") == "host name");
  CHECK(c.sources.at("ari.password") == "environment variable ARI_PASSWORD");
  CHECK(c.sources.count("ari.base_url") == 0);  // a default
  CHECK(c.warnings.empty());
}

TEST_CASE("required values that are missing are all reported, with where to set them") {
  testing::TempDir dir;
  LoadOptions o = Options(dir);
  o.environment.clear();
  o.host_name = "";
  std::string error = LoadError(o);
  CHECK_THAT(error, Contains("ari.user (default)"));
  CHECK_THAT(error, Contains("ari.password (default)"));
  CHECK_THAT(error, Contains("ARI_PASSWORD"));
  CHECK_THAT(error, Contains("database.url (default)"));
  CHECK_THAT(error, Contains("DATABASE_URL"));
  CHECK_THAT(error, Contains("ledger.node"));
  CHECK_THAT(error, Contains("NODE_NAME"));
}

TEST_CASE("a TOML file overrides the defaults and is named as the source") {
  testing::TempDir dir;
  const fs::path toml = dir / "config.toml";
  WriteFile(toml, R"([ari]
base_url = "https://pbx.example.com:8089/"
app = "ledger-observer"
subscribe_all = false
auth = "api_key"
verify_tls = false
reconnect_initial_ms = 250
reconnect_max_ms = 60000
ping_interval_ms = 5000

[ledger]
dir = "/srv/ledger"
node = "pbx-7"
sync_interval_ms = 0
queue_frames = 1024
max_frame_bytes = 65536

[projector]
call_app = "support-line"
recordings_dir = "/srv/recordings"

[database]
batch_records = 50

[http]
listen = "[::1]:9000"
allow_loopback_without_token = false

[log]
level = "debug"
)");
  LoadOptions o = Options(dir);
  o.config_file = toml;
  DaemonConfig c = Load(o);
  CHECK(c.ari.base_url == "https://pbx.example.com:8089/");
  CHECK(c.ari.app == "ledger-observer");
  CHECK_FALSE(c.ari.subscribe_all);
  CHECK(c.ari.auth == AriAuth::kApiKeyQuery);
  CHECK_FALSE(c.ari.verify_tls);
  CHECK(c.ari.reconnect_initial_ms.count() == 250);
  CHECK(c.ari.reconnect_max_ms.count() == 60000);
  CHECK(c.ari.ping_interval_ms.count() == 5000);
  CHECK(c.ledger.dir == fs::path("/srv/ledger"));
  CHECK(c.ledger.node == "pbx-7");
  CHECK(c.ledger.sync_interval_ms.count() == 0);
  CHECK(c.ledger.queue_frames == 1024);
  CHECK(c.ledger.max_frame_bytes == 65536);
  CHECK(c.projector.call_app == "support-line");
  CHECK(c.projector.recordings_dir == fs::path("/srv/recordings"));
  CHECK(c.database.batch_records == 50);
  CHECK(c.http.listen == "[::1]:9000");
  CHECK_FALSE(c.http.allow_loopback_without_token);
  CHECK(c.log.level == LogLevel::kDebug);
  CHECK(c.sources.at("ari.app") == toml.string() + ":3:7");
  CHECK(c.sources.at("ledger.node") == toml.string() + ":13:8");
  // Not an error, but an operator should hear about each of these.
  CHECK(c.warnings.size() == 3);  // observer without subscribeAll, api_key, TLS checks off
}

TEST_CASE(".env overrides the TOML file, and the environment overrides .env") {
  testing::TempDir dir;
  WriteFile(dir / "config.toml",
            "[ari]\napp = \"from-toml\"\nuser = \"toml-user\"\n"
            "[log]\nlevel = \"warn\"\n[ledger]\nnode = \"toml-node\"\n");
  WriteFile(dir / ".env", "ARI_APP=from-dotenv\nARI_USER=dotenv-user\nLOG_LEVEL=error\n");
  LoadOptions o = Options(dir);
  o.config_file = dir / "config.toml";
  o.environment.erase("ARI_USER");
  o.environment["ARI_APP"] = "from-env";

  DaemonConfig c = Load(o);  // .env found in the working directory
  CHECK(c.ari.app == "from-env");
  CHECK(c.ari.user == "dotenv-user");
  CHECK(c.log.level == LogLevel::kError);
  CHECK(c.ledger.node == "toml-node");
  CHECK(c.sources.at("ari.app") == "environment variable ARI_APP");
  CHECK(c.sources.at("ari.user") == (dir / ".env").string() + ":2 (ARI_USER)");
  CHECK(c.sources.at("ledger.node") == (dir / "config.toml").string() + ":7:8");

  // An explicit .env file wins over ./.env.
  WriteFile(dir / "other.env", "ARI_USER=other-user\n");
  o.env_file = dir / "other.env";
  CHECK(Load(o).ari.user == "other-user");
  CHECK(Load(o).log.level == LogLevel::kWarn);  // ./.env no longer read
}

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

TEST_CASE("a missing explicitly given file is a clear error, a missing ./.env is not") {
  testing::TempDir dir;
  LoadOptions o = Options(dir);
  o.config_file = dir / "nope.toml";
  CHECK(LoadError(o, Code::kNotFound) ==
        "config file " + (dir / "nope.toml").string() + " does not exist");

  o = Options(dir);
  o.env_file = dir / "nope.env";
  CHECK(LoadError(o, Code::kNotFound) ==
        ".env file " + (dir / "nope.env").string() + " does not exist");

  o = Options(dir);
  o.config_file = dir.path();
  CHECK_THAT(LoadError(o, Code::kFailedPrecondition), Contains("is a directory"));

  Load(Options(dir));  // no ./.env in the working directory: fine
}

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

TEST_CASE("numbers out of range and bad names are rejected") {
  DaemonConfig c = Valid();
  REQUIRE(Validate(c).ok());
  c.ari.reconnect_initial_ms = std::chrono::milliseconds(0);
  c.ari.ping_interval_ms = std::chrono::milliseconds(-5);
  c.ledger.queue_frames = 0;
  c.ledger.max_frame_bytes = 100;
  c.ledger.sync_interval_ms = std::chrono::milliseconds(20'000);
  c.database.batch_records = 0;
  c.ari.app = "call ledger";
  c.ledger.node = "";
  c.ledger.dir = "";
  c.projector.call_app = "";
  std::string error = Validate(c).message();
  for (const char* key :
       {"ari.reconnect_initial_ms", "ari.ping_interval_ms", "ledger.queue_frames",
        "ledger.max_frame_bytes", "ledger.sync_interval_ms", "database.batch_records", "ari.app",
        "ledger.node", "ledger.dir", "projector.call_app"}) {
    CHECK_THAT(error, Contains(std::string(key) + " (default)"));
  }

  c = Valid();
  c.ari.reconnect_initial_ms = std::chrono::milliseconds(5000);
  c.ari.reconnect_max_ms = std::chrono::milliseconds(1000);
  CHECK_THAT(Validate(c).message(),
             Contains("ari.reconnect_max_ms (default): 1000 is out of range [5000,"));

  c = Valid();
  c.database.url = Secret(kDbPassword);  // pasted in the wrong place
  CHECK_THAT(Validate(c).message(), Contains("database.url (default): is neither"));
  CHECK_THAT(Validate(c).message(), !Contains(kDbPassword));
  c.database.url = Secret("host=/run/postgresql dbname=call_ledger");
  CHECK(Validate(c).ok());

  c = Valid();
  c.ari.ca_file = "/nonexistent/ca.pem";
  CHECK_THAT(Validate(c).message(), Contains("ari.ca_file"));
  c.ari.user = "a:b";
  CHECK_THAT(Validate(c).message(), Contains("ari.user (default): must not contain ':'"));
}

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

TEST_CASE("a file that holds secrets and others can read is warned about") {
  testing::TempDir dir;
  WriteFile(dir / ".env", std::string("ARI_PASSWORD=") + kAriPassword + "\n",
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);
  LoadOptions o = Options(dir);
  o.environment.erase("ARI_PASSWORD");
  DaemonConfig c = Load(o);
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Contains("holds ARI_PASSWORD and is readable by other users"));
  CHECK_THAT(c.warnings[0], !Contains(kAriPassword));

  fs::permissions(dir / ".env", fs::perms::owner_read | fs::perms::owner_write);
  CHECK(Load(o).warnings.empty());

  // A database URL without a password is no secret.
  WriteFile(dir / "config.toml", "[database]\nurl = \"postgresql://ledger@db/calls\"\n",
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  o.config_file = dir / "config.toml";
  o.environment.erase("DATABASE_URL");
  CHECK(Load(o).warnings.empty());
  WriteFile(dir / "config.toml", "[database]\nurl = \"host=db password=x\"\n",
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  REQUIRE(Load(o).warnings.size() == 1);
  CHECK_THAT(Load(o).warnings[0], Contains("holds database.url"));
}

TEST_CASE("app mode is allowed and warned about") {
  testing::TempDir dir;
  LoadOptions o = Options(dir);
  o.environment["ARI_APP"] = "call-center";
  DaemonConfig c = Load(o);
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Contains("app mode"));
  CHECK_THAT(Redacted(c), Contains("mode           app"));
}

const fs::path kSample = fs::path(CALL_LEDGER_SOURCE_DIR) / "docs" / "config.sample.toml";

TEST_CASE("docs/config.sample.toml loads, validates and equals the defaults") {
  testing::TempDir dir;
  LoadOptions o = Options(dir);
  o.config_file = kSample;
  o.environment = {{"ARI_PASSWORD", kAriPassword}};
  DaemonConfig c = Load(o);

  // Where the sample deliberately differs: values with no useful default.
  DaemonConfig expected;
  expected.ari.user = "call-ledger";
  expected.ari.password = Secret(kAriPassword);
  expected.ledger.node = "pbx-test";
  expected.database.url = Secret("postgresql://call_ledger@127.0.0.1:5432/call_ledger");
  CHECK(c == expected);
}

TEST_CASE("docs/config.sample.toml mentions every key in its section") {
  const std::string text = ReadFile(kSample);
  REQUIRE_FALSE(text.empty());
  std::map<std::string, int> seen;
  std::string section;
  std::istringstream lines(text);
  const std::regex section_re(R"(^\[(\w+)\]\s*$)");
  const std::regex key_re(R"(^#?\s*(\w+) = )");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, section_re)) {
      section = m[1];
    } else if (std::regex_search(line, m, key_re) && !section.empty()) {
      ++seen[section + "." + std::string(m[1])];
    }
  }
  for (const auto& key : ConfigKeys()) {
    INFO(key.key);
    CHECK(seen[std::string(key.key)] == 1);
    // A secret is never written into the sample.
    if (key.secret && key.key != "database.url") {
      CHECK(text.find("\n" + std::string(key.key.substr(key.key.find('.') + 1)) + " = ") ==
            std::string::npos);
    }
  }
  CHECK(seen.size() == ConfigKeys().size());
}

TEST_CASE("EnvironmentFromProcess reads the real environment") {
  ::setenv("CALL_LEDGER_CONFIG_TEST_VAR", "a=b", 1);
  auto env = EnvironmentFromProcess();
  CHECK(env.at("CALL_LEDGER_CONFIG_TEST_VAR") == "a=b");
  ::unsetenv("CALL_LEDGER_CONFIG_TEST_VAR");
}

}  // namespace
}  // namespace callledger::daemon
