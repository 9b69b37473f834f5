#include "config_checks.h"

#include <catch2/catch.hpp>
#include <fstream>

namespace callledger::daemon::config_checks {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& text, fs::perms perms) {
  std::ofstream(path, std::ios::binary) << text;
  fs::permissions(path, perms);
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

std::string LoadError(const LoadOptions& options, Code code) {
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

}  // namespace callledger::daemon::config_checks
