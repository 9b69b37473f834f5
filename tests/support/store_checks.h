// Rows for CallLogStore tests, and checks of what a store holds (Catch2
// assertions: call them from a test).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/call_log_store.h"
#include "core/call_row.h"

namespace callledger::testing {

// A row with every column set; `i` varies every value.
CallRow FullRow(const std::string& node, const std::string& call_id, int i);
// A live, unanswered row: every optional column NULL / empty.
CallRow SparseRow(const std::string& node, const std::string& call_id);

// Every column of the row, readable in a failure message.
std::string Describe(const CallRow& r);
std::vector<CallRow> SortedById(std::vector<CallRow> rows);

// AllRows(node) is exactly `expected` (in call_id order), column for column.
void RequireRows(CallLogStore& store, const std::string& node,
                 const std::vector<CallRow>& expected);
void RequireCheckpoint(CallLogStore& store, const std::string& node, std::uint64_t seq);

}  // namespace callledger::testing
