// Helpers of the PgCallLogStore tests (tests/pg): opening a store on a test
// database, and what the rebuild tests look at in that database (leftover
// tables, the rebuild lock). Catch2 assertions: call them from a test.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/call_log_store.h"
#include "pg/pg_call_log_store.h"
#include "support/pg_test_db.h"

namespace callledger::testing {

// A store on `db`, migrated; REQUIREs that it opened.
std::unique_ptr<pg::PgCallLogStore> OpenStore(const TestDatabase& db, pg::PgOptions options = {});

void RequireOk(const Status& s);

// store.BeginReplace(node), REQUIREd to succeed.
std::unique_ptr<RowReplacement> Begin(CallLogStore& store, const std::string& node);

// Polls `done` every few milliseconds until it holds or `limit` passed.
void WaitUntil(const std::function<bool()>& done,
               std::chrono::seconds limit = std::chrono::seconds(10));

// Counts the tables a replacement builds beside the partitions ("_new_").
inline constexpr const char* kLeftovers =
    "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE '%\\_new\\_%'";

// How many sessions hold the rebuild lock in `db` ("0" or "1").
std::string RebuildLocksHeld(const TestDatabase& db);

}  // namespace callledger::testing
