// What the full-disk tests (store/disk_full_test.cc, store/tmpfs_full_test.cc)
// check of a ledger: numbered drafts, and the ledger read back through its
// chain verification (audit/verify.h) as the numbers it holds, in seq order,
// so "every record exactly once, in order" is one comparison. Catch2
// assertions: call them from a test.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "core/record.h"

namespace callledger::testing {

// Drafts numbered first, first + 1, ... (`n` of them), each with a payload
// of `padding` bytes beside its number (to fill a disk faster).
std::vector<RecordDraft> NumberedDrafts(int first, int n, std::size_t padding = 0);

// The numbers of the ledger's records in seq order, after checking that its
// chain verifies and that the head covers them all.
std::vector<int> VerifiedNumbers(const EventLog& log);

// first, first + 1, ..., last.
std::vector<int> Range(int first, int last);

}  // namespace callledger::testing
