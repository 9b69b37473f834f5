// The PBX's time zone for the HTTP API ("today" in /api/stats and on the
// wallboard): http.pbx_timezone when configured, else the host's IANA zone
// name, found as glibc and systemd would: the TZ variable, /etc/timezone,
// or the target of the /etc/localtime link; "UTC" when none of them says.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "daemon/config.h"

namespace callledger::daemon {

// Where the host's zone is looked for; the defaults are the real places,
// tests point them at files of their own.
struct HostZoneSources {
  std::optional<std::string> tz_variable;  // TZ's value, if set
  std::filesystem::path timezone_file = "/etc/timezone";
  std::filesystem::path localtime_link = "/etc/localtime";
};

// TZ (a leading ':' removed), else the first line of the timezone file,
// else the part of the localtime link's target after "zoneinfo/", else "UTC".
// An empty TZ or file counts as absent.
std::string HostTimeZone(const HostZoneSources& sources);

// The sources of this process: TZ from its environment.
HostZoneSources ProcessZoneSources();

// config.http.pbx_timezone, or HostTimeZone(ProcessZoneSources()) if that is empty.
std::string PbxTimeZone(const DaemonConfig& config);

}  // namespace callledger::daemon
