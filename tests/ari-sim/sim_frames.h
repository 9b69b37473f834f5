// Captured frames for the ari-sim tests without sockets (sim_*_test.cc),
// and the live state they leave behind.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ari/live_state.h"

namespace callledger::testing {

inline constexpr const char* kObserverA = "a-inbound-answered.observer.jsonl";

// The non-empty lines of fixtures/asterisk/`capture`.
std::vector<std::string> Frames(const std::string& capture);

// The live state after the first `count` of `frames`.
ari::LiveState StateAfter(const std::vector<std::string>& frames, std::size_t count);

}  // namespace callledger::testing
