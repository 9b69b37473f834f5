// Real child processes for end-to-end tests (ari-sim, call-ledgerd,
// ledger-replay), and waiting on what they print.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace callledger::testing {

// A child process with its stdout and stderr in files and `env` added to the
// environment; killed (SIGKILL) if still running when destroyed.
class Child {
 public:
  Child(std::vector<std::string> argv, std::vector<std::string> env,
        const std::filesystem::path& out, const std::filesystem::path& err);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Sends `sig` (0: none, just wait) and waits; returns the exit status, or
  // 128 + the signal that ended it.
  int Stop(int sig);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// The address ari-sim prints on its first line ("listening on HOST:PORT").
std::string WaitForListening(const std::filesystem::path& out);

// Whether `file` comes to contain `text` at least `times` times (10 s at most).
bool WaitForLog(const std::filesystem::path& file, const std::string& text, int times = 1);

}  // namespace callledger::testing
