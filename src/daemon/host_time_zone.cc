#include "daemon/host_time_zone.h"

#include <cstdlib>
#include <fstream>

namespace callledger::daemon {

std::string HostTimeZone(const HostZoneSources& sources) {
  if (const auto& tz = sources.tz_variable; tz && !tz->empty()) {
    return tz->front() == ':' ? tz->substr(1) : *tz;
  }
  if (std::ifstream f(sources.timezone_file); f) {
    std::string zone;
    if (std::getline(f, zone) && !zone.empty()) return zone;
  }
  std::error_code ec;
  const auto target = std::filesystem::read_symlink(sources.localtime_link, ec).string();
  if (const auto at = target.find("zoneinfo/"); !ec && at != std::string::npos)
    return target.substr(at + 9);
  return "UTC";
}

HostZoneSources ProcessZoneSources() {
  HostZoneSources sources;
  if (const char* tz = std::getenv("TZ"); tz != nullptr) sources.tz_variable = tz;
  return sources;
}

std::string PbxTimeZone(const DaemonConfig& config) {
  if (!config.http.pbx_timezone.empty()) return config.http.pbx_timezone;
  return HostTimeZone(ProcessZoneSources());
}

}  // namespace callledger::daemon
