// TestDatabase: a fresh, empty PostgreSQL database for one test.
//
// The server comes from CALL_LEDGER_TEST_PG, a libpq connection string for a
// superuser that tools/scripts/with-postgres.sh exports (tools/scripts/test.sh
// runs CTest under it). When it is unset the constructor FAILs the running
// Catch2 test with a message saying so: a database test never passes by
// skipping.
//
// Each TestDatabase creates its own database with a random name (tests run in
// parallel under ctest -j), hands out a DSN for it, and drops it in the
// destructor after terminating whatever is still connected. Not thread-safe;
// use from the test's thread.
#pragma once

#include <string>

namespace callledger::testing {

class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // The database's name, e.g. "cl_test_3f9a...".
  const std::string& name() const { return name_; }
  // A connection string for the test database (as a superuser).
  const std::string& dsn() const { return dsn_; }
  // A connection string for the server's maintenance database.
  const std::string& admin_dsn() const { return admin_dsn_; }

  // Runs SQL statements on the test database (own connection, autocommit)
  // and returns the first column of the first row of the last statement's
  // result, or "" when it has none. Throws on error: for test set-up only.
  std::string Exec(const std::string& sql) const;

 private:
  std::string admin_dsn_;
  std::string name_;
  std::string dsn_;
};

// `dsn` with its database name replaced by `dbname` (keyword=value strings
// and postgresql:// URIs).
std::string DsnWithDatabase(const std::string& dsn, const std::string& dbname);

}  // namespace callledger::testing
