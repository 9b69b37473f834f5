#include "daemon_http.h"

#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "support/fixtures.h"
#include "support/http_client.h"
#include "support/processes.h"

namespace callledger::testing {

std::string DaemonHttpAddress(const std::filesystem::path& err) {
  REQUIRE(WaitForLog(err, "http listening on "));
  std::smatch m;
  const std::string text = ReadFile(err);
  REQUIRE(std::regex_search(text, m, std::regex("http listening on ([0-9.]+:[0-9]+)")));
  return m[1];
}

std::optional<double> DaemonMetric(const std::string& address, const std::string& name) {
  const HttpReply reply = HttpGet(address, "/metrics", {}, std::chrono::seconds(5));
  if (reply.status != 200) return std::nullopt;
  std::istringstream lines(reply.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == ' ')
      return std::stod(line.substr(name.size() + 1));
  }
  return std::nullopt;
}

std::uint64_t DaemonLedgerHead(const std::string& address) {
  return static_cast<std::uint64_t>(
      DaemonMetric(address, "call_ledger_ledger_head_seq").value_or(0));
}

}  // namespace callledger::testing
