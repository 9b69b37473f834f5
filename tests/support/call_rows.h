// Call-log rows and row changes for store and query tests.
#pragma once

#include <cstdint>
#include <string>

#include "core/call_row.h"

namespace callledger::testing {

// A row as the projector would leave it: finished when `end_us` is set,
// talking when only `answer_us` is, ringing otherwise; durations, ring and
// talk seconds and the disposition follow from the times.
CallRow Call(const std::string& node, const std::string& call_id, const std::string& direction,
             const std::string& from, const std::string& to, std::int64_t start_us,
             std::int64_t answer_us, std::int64_t end_us);

RowChange Upsert(CallRow row);
RowChange Delete(const std::string& node, const std::string& call_id);

}  // namespace callledger::testing
