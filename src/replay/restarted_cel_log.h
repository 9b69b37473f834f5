// A capture's CEL log as a restarted Asterisk would have written it, for a
// simulated daemon run (cut_replay.h): a temporary copy of the log without
// the lines ari/restart_cel.h leaves out (ari-sim leaves the same lines out
// of --cel-out), so the run reads its CEL windows with the daemon's own
// file reader (cel/cel_window.h), from a file like the one the daemon would
// have read. The copy is removed when the object goes.
//
// Move-only; not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>

#include "ari/restart_plan.h"
#include "core/status.h"

namespace callledger::replay {

class RestartedCelLog {
 public:
  // Writes the copy of `original` in the system's temporary directory.
  // kInvalidInput when `original` cannot be read, kUnavailable when the
  // copy cannot be written.
  static Result<RestartedCelLog> Write(const std::filesystem::path& original,
                                       const ari::RestartPlan& plan);

  RestartedCelLog(RestartedCelLog&& other) noexcept;
  RestartedCelLog& operator=(RestartedCelLog&& other) noexcept;
  RestartedCelLog(const RestartedCelLog&) = delete;
  RestartedCelLog& operator=(const RestartedCelLog&) = delete;
  ~RestartedCelLog();

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t lines_left_out() const { return left_out_; }

 private:
  RestartedCelLog(std::filesystem::path path, std::uint64_t left_out)
      : path_(std::move(path)), left_out_(left_out) {}
  void Remove();

  std::filesystem::path path_;  // empty once moved from
  std::uint64_t left_out_ = 0;
};

}  // namespace callledger::replay
