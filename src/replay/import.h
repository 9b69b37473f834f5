// `ledger-replay import`: appends the frames of a captured JSON-lines file to
// a ledger, one record per non-empty line (an `ari_event`, or a `malformed`
// record holding the exact bytes and the reason). Empty lines are not frames;
// they are counted and skipped. A line that is one of the daemon's own
// records (payload/record_line.h: `{"call_ledger_record":...`, as `ledger-audit
// export --all-kinds` writes them) is appended as a record of its kind (gap,
// reconcile, note, cel) with its own times, reason and payload.
//
// The file is checked before anything is written: a missing or unreadable
// file, a directory, one that is not line-oriented text (a NUL byte, or a
// line longer than max_line_bytes) or one with a daemon record line that does
// not parse fails with kInvalidInput / kNotFound and the ledger is left
// untouched.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "ari/frame_parser.h"
#include "core/event_log.h"

namespace callledger::replay {

struct ImportOptions {
  std::size_t batch_records = 1000;       // records per Append
  std::size_t max_line_bytes = 64 << 20;  // longer lines mean "not line-oriented"
  ari::FrameLimits limits;
  // received_at_us for the imported records (the import's own clock).
  std::function<std::int64_t()> clock;
};

struct ImportReport {
  std::uint64_t lines = 0;        // non-empty lines imported
  std::uint64_t blank_lines = 0;  // skipped
  std::uint64_t bytes = 0;        // file size
  SeqRange seqs;
  std::map<std::string, std::uint64_t> by_kind;
  double seconds = 0;
};

// Called after each batch with bytes read so far and the total.
using ImportProgress = std::function<void(std::uint64_t done_bytes, std::uint64_t total_bytes)>;

Result<ImportReport> ImportJsonl(const std::filesystem::path& file, EventLog& log,
                                 const ImportOptions& options, const ImportProgress& progress = {});

// Checks that `file` can be imported without reading it twice into memory.
Status CheckImportable(const std::filesystem::path& file, std::size_t max_line_bytes);

}  // namespace callledger::replay
