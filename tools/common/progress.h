// A progress line on stderr for long tool runs: percentage, rate and ETA,
// redrawn at most ten times a second. On a terminal it redraws in place; when
// stderr is not a terminal it prints a plain line every few seconds so logs
// stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace callledger::cli {

class ProgressBar {
 public:
  // `unit` names what `done` counts ("bytes", "records").
  ProgressBar(std::string label, std::uint64_t total, std::string unit);
  ~ProgressBar();
  void Update(std::uint64_t done, std::uint64_t items = 0);
  void Finish();

 private:
  std::string label_;
  std::uint64_t total_;
  std::string unit_;
  bool tty_;
  bool finished_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

// The host name, for the default node name.
std::string HostName();

// Parses an ISO 8601 date-time with offset (or `Z`), or a bare date
// (YYYY-MM-DD, taken as UTC midnight); UTC µs or nullopt.
bool ParseTimeArg(const std::string& text, std::int64_t* utc_us);

}  // namespace callledger::cli
