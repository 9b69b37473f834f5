// What the EventLog contract tests (store/event_log_*_test.cc) run against
// both implementations: a factory per implementation for
// TEMPLATE_TEST_CASE (a fresh log for node kNode: MemoryEventLog, or a
// RocksEventLog in a temporary directory), drafts, and the log read back as
// plain numbers. Catch2 assertions: call them from a test.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_log.h"
#include "core/record.h"
#include "support/temp_dir.h"

namespace callledger::testing {

inline constexpr char kNode[] = "pbx-contract";

struct MemoryLogFactory {
  std::unique_ptr<EventLog> Open();
};

struct RocksLogFactory {
  TempDir dir{"event-log-contract"};
  std::unique_ptr<EventLog> Open();
};

// An ari_event draft of `event_type` naming the given ids.
RecordDraft Draft(std::string event_type, std::vector<std::string> channels = {},
                  std::vector<std::string> bridges = {}, std::vector<std::string> calls = {});
// `n` drafts of types "tag-0", "tag-1", ...
std::vector<RecordDraft> Drafts(int n, const std::string& tag);

Record Decode(const EventLog& log, Seq seq);
std::vector<std::uint64_t> Values(const std::vector<Seq>& seqs);
std::vector<std::uint64_t> LookupValues(const EventLog& log, IndexKind kind, std::string_view id);
// The seqs ScanEncoded visits in [from, to], each record decoded and checked.
std::vector<std::uint64_t> ScanKeys(const EventLog& log, Seq from, Seq to);
// first, first + 1, ..., last.
std::vector<std::uint64_t> Iota(std::uint64_t first, std::uint64_t last);

}  // namespace callledger::testing
