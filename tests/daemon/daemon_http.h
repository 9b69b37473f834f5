// The daemon's HTTP side as end-to-end tests see it: where it listens
// (from its log) and the value of one of its metrics, so that a test can
// wait for the daemon to reach a point instead of sleeping.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace callledger::testing {

// The address of the daemon's "http listening on HOST:PORT" line in its
// log `err` (waits for the line; the test fails without it).
std::string DaemonHttpAddress(const std::filesystem::path& err);

// The value of the metric `name` (no labels) in the daemon's /metrics at
// `address`; nullopt if it cannot be fetched or is not there.
std::optional<double> DaemonMetric(const std::string& address, const std::string& name);

// The daemon's ledger head (call_ledger_ledger_head_seq); 0 while it cannot
// be read.
std::uint64_t DaemonLedgerHead(const std::string& address);

}  // namespace callledger::testing
