// call_logs rows in PostgreSQL's binary COPY format, for a rebuild's bulk
// write. Internal to src/pg.
//
// The same values as the store's other writes (RowValues in
// pg_call_log_store.cc): empty optional columns as NULL, times 0 as NULL, in call_logs'
// column order (kColumns). The server reads binary values without parsing
// them: a COPY of 10,472 rows took ~21 ms of server time instead of ~27 ms
// as text, and rendering a binary timestamp is a subtraction
// (docs/benchmarks.md).
//
// A stream is: the header, any number of rows, the trailer. Rows must have
// passed the store's CheckRow (no NUL bytes, times and integers in range);
// text must be UTF-8 and the connection's client_encoding UTF8.
#pragma once

#include <string>

#include "core/call_row.h"

namespace callledger::pg {

void AppendCopyBinaryHeader(std::string* out);
void AppendCopyBinaryRow(const CallRow& row, std::string* out);
void AppendCopyBinaryTrailer(std::string* out);

}  // namespace callledger::pg
