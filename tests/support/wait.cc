#include "support/wait.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <thread>

namespace callledger::testing {

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::string_view what) {
  using Clock = std::chrono::steady_clock;
  constexpr std::chrono::milliseconds kMaxPause{20};
  const auto deadline = Clock::now() + timeout;
  std::chrono::milliseconds pause{1};
  while (true) {
    if (condition()) return true;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, kMaxPause);
  }
  UNSCOPED_INFO("timed out after " << timeout.count() << " ms waiting for " << std::string(what));
  return false;
}

}  // namespace callledger::testing
