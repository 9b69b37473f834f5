#include "support/pg_test_db.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <pqxx/pqxx>
#include <random>

namespace callledger::testing {
namespace {

constexpr const char* kEnv = "CALL_LEDGER_TEST_PG";

std::string RandomName() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string name = "cl_test_";
  for (int i = 0; i < 16; ++i) name += kHex[rd() % 16];
  return name;
}

}  // namespace

std::string DsnWithDatabase(const std::string& dsn, const std::string& dbname) {
  if (dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0) {
    // libpq reads URI query parameters after the path, and the later value
    // of a keyword wins.
    return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "dbname=" + dbname;
  }
  // keyword=value: the last occurrence of a keyword wins.
  return dsn + " dbname=" + dbname;
}

TestDatabase::TestDatabase() {
  const char* env = std::getenv(kEnv);
  if (env == nullptr || *env == '\0') {
    FAIL(
        "CALL_LEDGER_TEST_PG is not set: run the tests through tools/scripts/with-postgres.sh "
        "(tools/scripts/test.sh does)");
  }
  admin_dsn_ = env;
  name_ = RandomName();
  dsn_ = DsnWithDatabase(admin_dsn_, name_);
  pqxx::connection admin(admin_dsn_);
  pqxx::nontransaction tx(admin);
  // template0: nobody is ever connected to it, so parallel tests can copy it.
  tx.exec("CREATE DATABASE " + tx.quote_name(name_) +
          " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_dsn_);
    pqxx::nontransaction tx(admin);
    tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid()",
        name_);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    WARN("could not drop test database " << name_ << ": " << e.what());
  }
}

std::string TestDatabase::Exec(const std::string& sql) const {
  pqxx::connection conn(dsn_);
  pqxx::nontransaction tx(conn);
  const pqxx::result r = tx.exec(sql);
  if (r.empty() || r.columns() == 0 || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

}  // namespace callledger::testing
