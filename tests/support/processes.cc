#include "support/processes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>

#include "support/fixtures.h"
#include "support/wait.h"

namespace callledger::testing {

Child::Child(std::vector<std::string> argv, std::vector<std::string> env,
             const std::filesystem::path& out, const std::filesystem::path& err) {
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, STDOUT_FILENO);
    dup2(e, STDERR_FILENO);
    for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
}

Child::~Child() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

int Child::Stop(int sig) {
  REQUIRE(pid_ > 0);  // never kill(-1) or kill(0)
  if (sig != 0) kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string WaitForListening(const std::filesystem::path& out) {
  std::string address;
  const bool printed = WaitUntil(
      [&] {
        std::ifstream in(out);
        std::string line;
        if (!std::getline(in, line) || !line.starts_with("listening on ")) return false;
        address = line.substr(13);
        return true;
      },
      std::chrono::seconds(4), "ari-sim's address");
  if (!printed) FAIL("ari-sim did not print its address");
  return address;
}

bool WaitForLog(const std::filesystem::path& file, const std::string& text, int times) {
  return WaitUntil(
      [&] {
        if (!std::filesystem::exists(file)) return false;
        const std::string log = ReadFile(file);
        int n = 0;
        for (auto pos = log.find(text); pos != std::string::npos; pos = log.find(text, pos + 1))
          ++n;
        return n >= times;
      },
      std::chrono::seconds(10), std::to_string(times) + " x \"" + text + "\" in " + file.string());
}

}  // namespace callledger::testing
