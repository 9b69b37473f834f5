// Where configuration values come from: a TOML file, a .env file and the
// environment, each applied over the values before it (config.h says the
// order). Every value set is recorded in DaemonConfig::sources. Internal to
// daemon/config*.cc.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "core/status.h"
#include "daemon/config.h"

namespace callledger::daemon::config_detail {

Status ApplyToml(const std::filesystem::path& path, DaemonConfig& config);
Status ApplyDotEnv(const std::filesystem::path& path, DaemonConfig& config);
Status ApplyEnvironment(const std::map<std::string, std::string>& environment,
                        DaemonConfig& config);

}  // namespace callledger::daemon::config_detail
