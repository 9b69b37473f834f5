// Synthetic call-log rows for serving_bench: a call center's last N days as
// the projector would have written them, without a ledger behind them.
//
// The shape follows docs/projection.md: ~70 % inbound ("kiruvchi"), ~75 %
// answered, unanswered inbound calls "abandoned" (half of them called back
// by an agent a few minutes to an hour later), outbound failures busy /
// no_answer / congestion / failed / unanswered with their Q.850 causes, and
// a few hundred calls still live (ringing or talking) in the last minutes.
// Customers' numbers ("99890xxxxxxx") come from a pool, so a number has
// 20-40 calls, and a few hundred frequent callers have hundreds.
// Deterministic for a given seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/call_row.h"

namespace callledger::bench {

struct RowSetOptions {
  std::size_t rows = 1'000'000;
  std::string node = "pbx1";
  std::int64_t now_us = 0;  // the end of the period; live calls started just before
  int days = 60;            // UTC days, the last of them today (up to now)
  std::size_t numbers = 40'000;
  std::uint64_t seed = 20261126;
};

struct RowSet {
  std::vector<CallRow> rows;         // sorted by start time, as a ledger would have produced them
  std::vector<std::string> numbers;  // the customers' pool (each used by some row)
  std::int64_t first_day_us = 0;     // UTC midnight of the first day
  std::size_t live = 0;              // rows not finished
};

inline constexpr std::int64_t kDayUs = 86'400'000'000;

RowSet MakeRows(const RowSetOptions& options);

}  // namespace callledger::bench
