// The PBX's time zone (daemon/host_time_zone.h): the configured one, else
// the host's from TZ, /etc/timezone or the /etc/localtime link, in that
// order, else UTC. Tested on files of the test's own.
#include "daemon/host_time_zone.h"

#include <catch2/catch.hpp>

#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::daemon {
namespace {

// Sources that point into `dir`, where nothing exists yet.
HostZoneSources In(const testing::TempDir& dir) {
  HostZoneSources s;
  s.timezone_file = dir / "timezone";
  s.localtime_link = dir / "localtime";
  return s;
}

TEST_CASE("host zone: TZ first, a leading colon dropped") {
  testing::TempDir dir;
  testing::WriteFile(dir / "timezone", "Europe/Berlin\n");
  HostZoneSources s = In(dir);
  s.tz_variable = "Asia/Tashkent";
  CHECK(HostTimeZone(s) == "Asia/Tashkent");
  s.tz_variable = ":Asia/Samarkand";
  CHECK(HostTimeZone(s) == "Asia/Samarkand");
}

TEST_CASE("host zone: an empty TZ counts as absent, then /etc/timezone's first line") {
  testing::TempDir dir;
  testing::WriteFile(dir / "timezone", "Europe/Berlin\nignored\n");
  HostZoneSources s = In(dir);
  s.tz_variable = "";
  CHECK(HostTimeZone(s) == "Europe/Berlin");
}

TEST_CASE("host zone: then the zone the localtime link points into, else UTC") {
  testing::TempDir dir;
  HostZoneSources s = In(dir);
  CHECK(HostTimeZone(s) == "UTC");
  testing::WriteFile(dir / "timezone", "");  // empty: absent
  std::filesystem::create_symlink("/usr/share/zoneinfo/America/Sao_Paulo", dir / "localtime");
  CHECK(HostTimeZone(s) == "America/Sao_Paulo");
}

TEST_CASE("PBX zone: the configured one wins over the host's") {
  DaemonConfig config;
  config.http.pbx_timezone = "Asia/Tashkent";
  CHECK(PbxTimeZone(config) == "Asia/Tashkent");
  config.http.pbx_timezone.clear();
  CHECK(PbxTimeZone(config) == HostTimeZone(ProcessZoneSources()));
}

}  // namespace
}  // namespace callledger::daemon
