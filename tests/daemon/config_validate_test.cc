// The daemon's configuration checked before use: numbers out of range and
// bad names, files holding secrets that others can read, and app mode.
#include "daemon/config.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "config_checks.h"
#include "support/temp_dir.h"

namespace callledger::daemon {
namespace {

using Catch::Contains;
namespace fs = std::filesystem;
using config_checks::kAriPassword;
using config_checks::kDbPassword;
using config_checks::Load;
using config_checks::Options;
using config_checks::Valid;
using config_checks::WriteFile;

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

}  // namespace
}  // namespace callledger::daemon
