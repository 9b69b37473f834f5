// call_logs rows as the text of a COPY ... FROM STDIN, for writers of many
// rows at once (ReplaceAll). Internal to src/pg.
//
// The values are the ones the store writes elsewhere (pg_call_log_store.cc,
// RowValues): times as "2026-11-26 09:15:58.161234+00" (exact, whatever the
// session's TimeZone), empty optional columns as NULL, booleans as t/f, in
// call_logs' column order (kColumns). Rendering straight into one buffer
// costs a fraction of building 24 strings per row and escaping each again
// (libpqxx's stream_to): a rebuild's COPY of 10,472 rows took 60-80 ms
// instead of 130 ms on the same (busy) machine (docs/benchmarks.md).
//
// Rows must have passed CheckRow (no NUL bytes, times in range).
#pragma once

#include <string>

#include "core/call_row.h"

namespace callledger::pg {

// Appends `row` as one line of COPY text (tab-separated, \N for NULL,
// backslash escapes, a final line feed).
void AppendCopyLine(const CallRow& row, std::string* out);

}  // namespace callledger::pg
