// Helpers shared by the daemon's end-to-end tests: the daemon's ledger read
// back, its frames as an export, and waiting for the call log to catch up.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/call_log_store.h"
#include "core/event_log.h"
#include "store/rocks_event_log.h"
#include "support/temp_dir.h"

namespace callledger::testing {

// `dir`/ledger, read-only.
std::unique_ptr<store::RocksEventLog> OpenLedger(const TempDir& dir);
// Its frames as `ledger-audit export` writes them.
std::string Exported(const EventLog& ledger);
// Polls the node's checkpoint until it reaches `at_least` (15 s at most);
// returns the last value seen.
std::uint64_t WaitForCheckpoint(CallLogStore& store, const std::string& node,
                                std::uint64_t at_least);

}  // namespace callledger::testing
