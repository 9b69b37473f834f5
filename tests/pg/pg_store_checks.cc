#include "pg_store_checks.h"

#include <catch2/catch.hpp>
#include <thread>

#include "pg/pg_store_sql.h"

namespace callledger::testing {

std::unique_ptr<pg::PgCallLogStore> OpenStore(const TestDatabase& db, pg::PgOptions options) {
  auto store = pg::PgCallLogStore::Open(db.dsn(), std::move(options));
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

void RequireOk(const Status& s) {
  INFO(s.ToString());
  REQUIRE(s.ok());
}

std::unique_ptr<RowReplacement> Begin(CallLogStore& store, const std::string& node) {
  auto replacement = store.BeginReplace(node);
  INFO(replacement.status().ToString());
  REQUIRE(replacement.ok());
  return std::move(replacement).value();
}

void WaitUntil(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string RebuildLocksHeld(const TestDatabase& db) {
  // This database's only: advisory locks are per database, and other tests
  // run beside this one on the server.
  return db.Exec(
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
      "database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
      "((classid::bigint << 32) | objid::bigint) = " +
      std::to_string(pg::kRebuildLockKey));
}

}  // namespace callledger::testing
