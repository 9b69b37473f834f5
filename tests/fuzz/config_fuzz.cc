// The daemon's configuration files on arbitrary bytes: a TOML file and a
// .env file (LoadConfig reads only files, so the input is written to two
// files in a directory of the run's own), then Validate and the redacted
// dump of what loads. No crash; a failure is kInvalidInput.
//
// Input: the TOML text, then a line "#--env--", then the .env text.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "daemon/config.h"
#include "fuzz_check.h"

using namespace callledger;

namespace {

constexpr std::string_view kEnvSeparator = "\n#--env--\n";

void WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  FUZZ_CHECK(out.good());
}

// A directory of this process's own, made once and removed at exit.
const std::filesystem::path& WorkDir() {
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "config-fuzz-XXXXXX").string();
    FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr);
    std::atexit([] { std::filesystem::remove_all(WorkDir()); });
    return std::filesystem::path(pattern);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find(kEnvSeparator);
  const std::string_view toml = input.substr(0, split);
  const std::string_view env = split == std::string_view::npos
                                   ? std::string_view()
                                   : input.substr(split + kEnvSeparator.size());

  daemon::LoadOptions options;
  options.config_file = WorkDir() / "call-ledger.toml";
  options.env_file = WorkDir() / ".env";
  options.working_directory = WorkDir();
  options.host_name = "fuzz";
  WriteFile(*options.config_file, toml);
  WriteFile(*options.env_file, env);

  const auto config = daemon::LoadConfig(options);
  if (!config.ok()) {
    FUZZ_CHECK(config.status().code() == Code::kInvalidInput);
    return 0;
  }
  FUZZ_CHECK(daemon::Validate(config.value()).ok());  // LoadConfig validated it
  FUZZ_CHECK(!daemon::Redacted(config.value()).empty());
  return 0;
}
