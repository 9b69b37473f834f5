// docs/config.sample.toml kept in step with the configuration struct: it
// loads as the defaults and names every key once, no secret; and the
// process environment is read as it is.
#include "daemon/config.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "config_checks.h"
#include "support/temp_dir.h"

namespace callledger::daemon {
namespace {

namespace fs = std::filesystem;
using config_checks::kAriPassword;
using config_checks::Load;
using config_checks::Options;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
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
