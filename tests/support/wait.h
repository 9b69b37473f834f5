// Waiting in tests for something to become true, instead of sleeping and
// hoping it did: the condition is polled (every millisecond at first, then
// less often, at most every 20 ms) until it holds or the deadline passes.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

namespace callledger::testing {

// Whether `condition` came to hold within `timeout`. On a timeout, the
// test's output says what was waited for (`what`) and for how long, so
// callers just CHECK or REQUIRE the result. `condition` runs on the
// calling thread, at least once, however short the timeout.
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::string_view what);

}  // namespace callledger::testing
