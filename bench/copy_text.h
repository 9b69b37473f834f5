// call_logs rows as the text of a COPY ... FROM STDIN: the raw COPY
// reference of projection_bench in the format psql's \copy and the
// toolchain's measured limit use (ReplaceAll itself sends binary COPY,
// src/pg/pg_copy_binary.h).
//
// The values are the ones the store writes (pg_call_log_store.cc,
// RowValues): times as "2026-11-26 09:15:58.161234+00" (exact, whatever the
// session's TimeZone), empty optional columns as NULL, booleans as t/f, in
// call_logs' column order (kColumns).
//
// Rows must be valid for the store (no NUL bytes, times in range).
#pragma once

#include <string>

#include "core/call_row.h"

namespace callledger::bench {

// Appends `row` as one line of COPY text (tab-separated, \N for NULL,
// backslash escapes, a final line feed).
void AppendCopyLine(const CallRow& row, std::string* out);

}  // namespace callledger::bench
