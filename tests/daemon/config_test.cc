// The daemon's configuration (daemon/config.h): the documented defaults,
// where each value comes from (TOML file < .env < environment, named in
// `sources`), required values, and files that are missing.
#include "daemon/config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "config_checks.h"
#include "support/temp_dir.h"

namespace callledger::daemon {
namespace {

using Catch::Contains;
namespace fs = std::filesystem;
using config_checks::Load;
using config_checks::LoadError;
using config_checks::Options;
using config_checks::Valid;
using config_checks::WriteFile;

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

}  // namespace
}  // namespace callledger::daemon
