// Load from real traffic: a captured frame rewritten so that it belongs to a
// new set of calls. Used by benchmarks and by tests that need large ledgers.
#pragma once

#include <cstdint>
#include <string>

namespace callledger::replay {

// Gives every Asterisk uniqueid (10 digits '.' digits) a new epoch part
// (+ replica * 100000) and every UUID a new first group (replica in hex), so
// replica r of a captured session is a new set of channels, bridges and call
// ids with the same shape and timing. Replica 0 leaves uniqueids unchanged.
std::string WithFreshIds(const std::string& frame, std::uint64_t replica);

}  // namespace callledger::replay
