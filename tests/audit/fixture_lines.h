// The captured fixture lines as the audit tests see them, read with
// Boost.JSON and plain string handling instead of the ledger's own parser,
// so that what the auditors' tools say can be checked against an
// independent count; and the few steps every one of those tests takes
// (import a capture, pick seqs, decode a record). Catch2 assertions: call
// them from a test.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "core/record.h"
#include "support/stored_records.h"

namespace callledger::testing {

// One fixture line as the test sees it, independently of the ledger's parser.
struct Line {
  std::uint64_t seq = 0;  // the seq it gets when imported into an empty ledger
  std::string text;
  std::string type;
  std::int64_t time_us = 0;
  std::string channel_id;  // "channel".id, if any
  std::string channel_name;
};

// Every line of the capture `file`, in order; fails the test on a line that
// is empty or is not an event with a type and a timestamp.
std::vector<Line> ReadFixture(const std::filesystem::path& file);

// Imports the capture `file` into `log` with a fixed clock; fails the test
// if the import fails.
void Import(const std::filesystem::path& file, EventLog& log);

// The seqs of the lines for which `pred` holds, ascending.
template <typename Pred>
std::vector<std::uint64_t> SeqsWhere(const std::vector<Line>& lines, Pred pred) {
  std::vector<std::uint64_t> out;
  for (const auto& l : lines) {
    if (pred(l)) out.push_back(l.seq);
  }
  return out;
}

// The record `seq` of `log`, decoded (DecodeStored, by the tests' short name).
inline Record Decode(const EventLog& log, Seq seq) { return DecodeStored(log, seq); }

}  // namespace callledger::testing
