#include "support/processes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "support/fixtures.h"

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
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(out);
    std::string line;
    if (std::getline(in, line) && line.starts_with("listening on ")) return line.substr(13);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("ari-sim did not print its address");
  return {};
}

bool WaitForLog(const std::filesystem::path& file, const std::string& text, int times) {
  for (int i = 0; i < 400; ++i) {
    if (std::filesystem::exists(file)) {
      const std::string log = ReadFile(file);
      int n = 0;
      for (auto pos = log.find(text); pos != std::string::npos; pos = log.find(text, pos + 1)) ++n;
      if (n >= times) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

}  // namespace callledger::testing
