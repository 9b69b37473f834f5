// The [cel] section: off by default, cel.file from TOML or CEL_FILE, its
// numbers checked, a directory refused, a file not there yet warned about,
// and the dump shows it.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>

#include "config_checks.h"
#include "daemon/config.h"
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

TEST_CASE("cel: off by default, with the documented margin, wait and record size") {
  const CelConfig c;
  CHECK_FALSE(c.file.has_value());
  CHECK(c.margin_ms.count() == 5000);
  CHECK(c.settle_ms.count() == 2000);
  CHECK(c.max_record_bytes == 1024 * 1024);
  const ConfigKey* file = nullptr;
  for (const auto& key : ConfigKeys()) {
    if (key.key == "cel.file") file = &key;
  }
  REQUIRE(file != nullptr);
  CHECK(file->env == "CEL_FILE");
  CHECK_FALSE(file->secret);
}

TEST_CASE("cel: the TOML section, and CEL_FILE over it") {
  testing::TempDir dir;
  WriteFile(dir / "cel.jsonl", "");
  WriteFile(dir / "config.toml", "[cel]\nfile = \"" + (dir / "cel.jsonl").string() +
                                     "\"\nmargin_ms = 8000\nsettle_ms = 500\n"
                                     "max_record_bytes = 262144\n");
  LoadOptions o = Options(dir);
  o.config_file = dir / "config.toml";
  DaemonConfig c = Load(o);
  CHECK(c.cel.file == dir / "cel.jsonl");
  CHECK(c.cel.margin_ms.count() == 8000);
  CHECK(c.cel.settle_ms.count() == 500);
  CHECK(c.cel.max_record_bytes == 262144);
  CHECK(c.sources.at("cel.file") == (dir / "config.toml").string() + ":2:8");
  CHECK(c.warnings.empty());

  o.environment["CEL_FILE"] = "/var/log/asterisk/cel-custom/cel.jsonl";
  c = Load(o);
  CHECK(c.cel.file == fs::path("/var/log/asterisk/cel-custom/cel.jsonl"));
  CHECK(c.sources.at("cel.file") == "environment variable CEL_FILE");
  // Asterisk creates it with its first event: not an error, but said.
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Contains("cel.file /var/log/asterisk/cel-custom/cel.jsonl does not "
                                     "exist (yet)"));
  CHECK_THAT(Redacted(c), Contains("\n[cel]\nfile = \"/var/log/asterisk/cel-custom/cel.jsonl\""));

  // An empty CEL_FILE turns it off.
  o.environment["CEL_FILE"] = "";
  CHECK_FALSE(Load(o).cel.file.has_value());

  WriteFile(dir / "typo.toml", "[cel]\nfiel = \"/x\"\nmargin_ms = \"5s\"\n");
  o.config_file = dir / "typo.toml";
  const std::string error = LoadError(o);
  CHECK_THAT(error, Contains("cel.fiel"));
  CHECK_THAT(error, Contains("did you mean cel.file?"));
  CHECK_THAT(error, Contains("cel.margin_ms"));
}

TEST_CASE("cel: numbers out of range and a directory are rejected") {
  DaemonConfig c = Valid();
  c.cel.margin_ms = std::chrono::milliseconds(-1);
  c.cel.settle_ms = std::chrono::milliseconds(600'000);
  c.cel.max_record_bytes = 1000;
  const std::string error = Validate(c).message();
  CHECK_THAT(error, Contains("cel.margin_ms (default): -1 is out of range [0, 600000]"));
  CHECK_THAT(error, Contains("cel.settle_ms (default): 600000 is out of range [0, 60000]"));
  CHECK_THAT(error, Contains("cel.max_record_bytes (default): 1000 is out of range [65536,"));

  c = Valid();
  testing::TempDir dir;
  c.cel.file = dir.path();
  CHECK_THAT(Validate(c).message(), Contains("cel.file (default): " + dir.path().string() +
                                             " is a directory, not cel_custom's log file"));
  c.cel.file = dir / "cel.jsonl";  // not there yet: fine
  CHECK(Validate(c).ok());
}

}  // namespace
}  // namespace callledger::daemon
