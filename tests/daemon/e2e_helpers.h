// Helpers shared by the daemon's end-to-end tests: the daemon's ledger read
// back, its frames as an export, waiting for the call log to catch up, and
// what ari-sim says it sent.
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
// How many frames of a stream of `frames` ari-sim sent its last subscriber,
// from its log `sim_err`: from the frame its last "subscribed" line names to
// the end; 0 if the stream had ended before.
std::uint64_t FramesSentToLastClient(const std::filesystem::path& sim_err, std::size_t frames);

}  // namespace callledger::testing
