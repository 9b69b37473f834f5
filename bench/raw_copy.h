// The write limit projection_bench measures the rebuild's write phase
// against: the same rows COPYed into a table by plain libpq, nothing else.
//
// The rows are rendered beforehand, outside the timing, as the COPY text the
// store sends for them (the same values: times to the microsecond with an
// explicit +00 offset, empty optional columns as NULL, booleans as t/f), and
// sent in 64 KiB messages. What is timed is the COPY statement and its
// commit, into a table created and committed before. So the reference holds
// no client-side cost but libpq's, and the rebuild's write phase, which also
// renders the rows, is measured against the fastest way to hand PostgreSQL
// the same bytes.
#pragma once

#include <string>
#include <vector>

#include "core/call_row.h"

namespace callledger::bench {

// The rows as COPY text, one line per row, in call_logs' column order.
std::string CopyText(const std::vector<CallRow>& rows);

struct RawCopyResult {
  double seconds = 0;      // COPY + COMMIT
  bool same_rows = false;  // the table then equals the node's call_logs rows
};

// Creates `table` with `definition` (e.g. "(LIKE call_logs INCLUDING
// DEFAULTS, PRIMARY KEY (node, call_id))"), COPYs `text` into it, compares
// it with call_logs' rows of the same node (`node`), and drops it. Exits
// the process on any error (a benchmark has nothing to recover).
RawCopyResult RawCopy(const std::string& dsn, const std::string& table,
                      const std::string& definition, const std::string& text,
                      const std::string& node);

}  // namespace callledger::bench
