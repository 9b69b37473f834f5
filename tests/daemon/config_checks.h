// Helpers of the daemon configuration tests (daemon/config_*_test.cc):
// secrets to look for in output, loading from a temporary directory that
// holds only what a test wrote, and a valid configuration built in code.
// Catch2 assertions: call them from a test.
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"
#include "daemon/config.h"
#include "support/temp_dir.h"

namespace callledger::daemon::config_checks {

inline constexpr char kAriPassword[] = "Ari-S3cret-pw";
inline constexpr char kDbPassword[] = "Db-S3cret-pw";
inline constexpr char kToken[] = "Bearer-S3cret-token-0123";

// Writes `text` to `path` and gives it `perms` (owner read/write only by
// default: a file others can read holding a secret is warned about).
void WriteFile(const std::filesystem::path& path, const std::string& text,
               std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                              std::filesystem::perms::owner_write);

// Options that see only `dir` (no stray .env from the build tree) and a
// fixed host name; the environment holds what the defaults cannot.
LoadOptions Options(const testing::TempDir& dir);

// LoadConfig(options), REQUIREd to succeed.
DaemonConfig Load(const LoadOptions& options);
// LoadConfig(options), REQUIREd to fail with `code`; its message.
std::string LoadError(const LoadOptions& options, Code code = Code::kInvalidInput);

// A valid configuration built in code, for Validate and Redacted.
DaemonConfig Valid();

}  // namespace callledger::daemon::config_checks
