#include "cel_files.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "payload/cel_event.h"
#include "support/fixtures.h"

namespace callledger::testing {
namespace {
constexpr std::string_view kTimeKey = "\"eventtime\":\"";
}  // namespace

std::filesystem::path CelCapture(const std::string& scenario) {
  return SourceDir() / "fixtures" / "asterisk-cel" / (scenario + ".cel.jsonl");
}

std::vector<std::string> CelLines(const std::string& scenario) {
  std::vector<std::string> out;
  for (auto& line : ReadLines(CelCapture(scenario))) {
    if (!line.empty()) out.push_back(std::move(line));
  }
  return out;
}

std::int64_t CelTime(const std::string& line) {
  payload::CelLineDecoder decoder;
  auto e = decoder.Decode(line);
  REQUIRE(e.ok());
  REQUIRE(e->eventtime_us.has_value());
  return *e->eventtime_us;
}

std::string ShiftCelLine(const std::string& line, std::int64_t shift_us) {
  const std::size_t begin = line.find(kTimeKey);
  REQUIRE(begin != std::string::npos);
  const std::size_t from = begin + kTimeKey.size();
  const std::size_t to = line.find('"', from);
  const auto t = payload::ParseCelEventTime(std::string_view(line).substr(from, to - from));
  REQUIRE(t.has_value());
  const std::int64_t moved = *t + shift_us;
  char text[40];
  std::snprintf(text, sizeof text, "%lld.%06lld", static_cast<long long>(moved / 1000000),
                static_cast<long long>(moved % 1000000));
  return line.substr(0, from) + text + line.substr(to);
}

std::vector<std::string> CelLinesIn(const std::vector<std::string>& lines, std::int64_t since_us,
                                    std::int64_t until_us) {
  std::vector<std::string> out;
  for (const auto& line : lines) {
    const std::int64_t t = CelTime(line);
    if (t >= since_us && t <= until_us) out.push_back(line);
  }
  return out;
}

void AppendFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
  out.flush();
  REQUIRE(out.good());
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace callledger::testing
