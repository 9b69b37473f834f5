// Call-log rows as text: the JSON of DESIGN section 7 (golden files), CSV
// (RFC 4180) and an aligned table; and a readable diff between two row lists.
#pragma once

#include <string>
#include <vector>

#include "core/call_row.h"
#include "core/status.h"

namespace callledger::projection {

// Column names in output order (DESIGN section 4 names).
const std::vector<std::string>& RowColumns();

// A JSON array, one row object per line, keys in RowColumns() order, times
// as YYYY-MM-DDTHH:MM:SS.mmmZ, NULLs as null.
std::string RowsToJson(const std::vector<CallRow>& rows);
// One row object of RowsToJson, on one line without a line feed.
std::string RowToJson(const CallRow& row);
std::string RowsToCsv(const std::vector<CallRow>& rows);
std::string RowsToTable(const std::vector<CallRow>& rows);

// The rows' fields as text, by column, as RowsToJson writes them ("null"
// for NULL); what diffs compare.
std::vector<std::pair<std::string, std::string>> RowFields(const CallRow& row);

// Compares `actual` rows with the JSON text of expected rows (as written by
// RowsToJson). Returns an empty string when equal, else a readable diff:
// rows missing, rows extra, and per row the columns that differ.
Result<std::string> DiffRowsJson(const std::vector<CallRow>& actual,
                                 const std::string& expected_json);

}  // namespace callledger::projection
