// CEL log files for the daemon's CEL tests: the captures of
// fixtures/asterisk-cel, their lines' eventtimes, lines moved in time, and
// files written and appended to as Asterisk would.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace callledger::testing {

// fixtures/asterisk-cel/<scenario>.cel.jsonl
std::filesystem::path CelCapture(const std::string& scenario);
// Its non-empty lines, without line feeds.
std::vector<std::string> CelLines(const std::string& scenario);
// A line's eventtime, UTC µs (the line must have one).
std::int64_t CelTime(const std::string& line);
// The line with its eventtime moved by `shift_us`, every other byte as it was.
std::string ShiftCelLine(const std::string& line, std::int64_t shift_us);
// The lines of `lines` whose eventtime lies in [since_us, until_us], in order.
std::vector<std::string> CelLinesIn(const std::vector<std::string>& lines, std::int64_t since_us,
                                    std::int64_t until_us);
// Appends `bytes` to the file at `path` (created if missing).
void AppendFile(const std::filesystem::path& path, const std::string& bytes);
// The lines, each with a line feed, as one string.
std::string Joined(const std::vector<std::string>& lines);

}  // namespace callledger::testing
