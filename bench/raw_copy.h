// The write limit projection_bench measures the rebuild's write phase
// against: the same rows COPYed into a table by plain libpq, nothing else.
//
// The rows are rendered beforehand, outside the timing, in one of two COPY
// formats: text (copy_text.h: what psql's \copy sends, the format of the
// toolchain's measured limit), or binary (the bytes ReplaceAll sends,
// src/pg/pg_copy_binary.h; the server parses less). Both carry the same
// values and go in 64 KiB messages. What is timed is the COPY statement and
// its commit, into a table created and committed before. So the reference
// holds no client-side cost but libpq's, while the rebuild's write phase
// also renders the rows.
#pragma once

#include <string>
#include <vector>

#include "core/call_row.h"

namespace callledger::bench {

enum class CopyFormat { kText, kBinary };

// The rows as COPY data in `format`, in call_logs' column order.
std::string CopyData(const std::vector<CallRow>& rows, CopyFormat format);

struct RawCopyResult {
  double seconds = 0;      // COPY + COMMIT
  bool same_rows = false;  // the table then equals the node's call_logs rows
};

// Creates `table` with `definition` (e.g. "(LIKE call_logs INCLUDING
// DEFAULTS, PRIMARY KEY (node, call_id))"), COPYs `data` (in `format`)
// into it, compares
// it with call_logs' rows of the same node (`node`), and drops it. Exits
// the process on any error (a benchmark has nothing to recover).
RawCopyResult RawCopy(const std::string& dsn, const std::string& table,
                      const std::string& definition, const std::string& data, CopyFormat format,
                      const std::string& node);

}  // namespace callledger::bench
