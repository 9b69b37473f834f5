// The CallLogStore contract (core/call_log_store.h): checks that every
// implementation must pass, PgCallLogStore and the in-memory twin
// (projection::MemoryCallLogStore) alike. Each is a function of a
// CallLogStore& holding nothing yet for `node` (or for the nodes it names),
// asserting with Catch2: call them from a test, one per SECTION.
#pragma once

#include <string>

#include "core/call_log_store.h"

namespace callledger::testing {

void ContractUpsertUpdateDelete(CallLogStore& store, const std::string& node);
void ContractCoalescesRepeatedKeys(CallLogStore& store, const std::string& node);
void ContractStaleExpectedWritesNothing(CallLogStore& store, const std::string& node);
// Uses the nodes "pbx-1" and "pbx-2".
void ContractNodesAreSeparate(CallLogStore& store);
// Also writes to the node "other".
void ContractRowsAtCheckpoint(CallLogStore& store, const std::string& node);
void ContractReplaceAll(CallLogStore& store, const std::string& node);
// Times at the ends of the range, NULLs, UTF-8, quotes and COPY's escapes,
// through a small batch, a large one and a rebuild.
void ContractValuesRoundTrip(CallLogStore& store, const std::string& node);
void ContractLargeBatches(CallLogStore& store, const std::string& node);
// Node names with spaces, quotes, SQL, Cyrillic and backslashes.
void ContractAwkwardNodeNames(CallLogStore& store);

}  // namespace callledger::testing
