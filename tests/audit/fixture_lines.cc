#include "fixture_lines.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <utility>

#include "replay/import.h"
#include "support/fixtures.h"

namespace callledger::testing {
namespace {

namespace json = boost::json;

// "2026-11-26T14:15:58.161+0500" -> UTC microseconds.
std::int64_t ParseTimestamp(const std::string& s) {
  REQUIRE(s.size() == 28);
  REQUIRE(s[10] == 'T');
  REQUIRE(s[19] == '.');
  auto num = [&](std::size_t at, std::size_t len) { return std::stoi(s.substr(at, len)); };
  using namespace std::chrono;
  const sys_days date = year{num(0, 4)} / month{static_cast<unsigned>(num(5, 2))} /
                        day{static_cast<unsigned>(num(8, 2))};
  const int sign = s[23] == '-' ? -1 : 1;
  REQUIRE((s[23] == '+' || s[23] == '-'));
  const auto offset = sign * (hours{num(24, 2)} + minutes{num(26, 2)});
  const auto local = date + hours{num(11, 2)} + minutes{num(14, 2)} + seconds{num(17, 2)} +
                     milliseconds{num(20, 3)};
  return duration_cast<microseconds>((local - offset).time_since_epoch()).count();
}

}  // namespace

std::vector<Line> ReadFixture(const std::filesystem::path& file) {
  std::vector<Line> out;
  for (const auto& text : ReadLines(file)) {
    REQUIRE(!text.empty());
    Line line;
    line.seq = out.size() + 1;
    line.text = text;
    const json::value parsed = json::parse(text);
    const json::object& o = parsed.as_object();
    line.type = std::string(o.at("type").as_string());
    line.time_us = ParseTimestamp(std::string(o.at("timestamp").as_string()));
    if (auto it = o.find("channel"); it != o.end() && it->value().is_object()) {
      line.channel_id = std::string(it->value().as_object().at("id").as_string());
      line.channel_name = std::string(it->value().as_object().at("name").as_string());
    }
    out.push_back(std::move(line));
  }
  return out;
}

void Import(const std::filesystem::path& file, EventLog& log) {
  replay::ImportOptions options;
  options.batch_records = 64;
  options.clock = [] { return std::int64_t{1795684558000000}; };
  Result<replay::ImportReport> report = replay::ImportJsonl(file, log, options);
  INFO(file.filename().string() << ": " << report.status().ToString());
  REQUIRE(report.ok());
}

}  // namespace callledger::testing
