#include "pg/libpq_connection.h"

#include <libpq-fe.h>

#include <pqxx/except>

namespace callledger::pg {
namespace {

// What PostgreSQL said, or libpq when the server said nothing.
std::string Message(PGconn* conn, const PGresult* res) {
  std::string m = res != nullptr ? PQresultErrorMessage(res) : "";
  if (m.empty()) m = PQerrorMessage(conn);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// Throws for a result that is not `expected`, then frees it.
void Check(PGconn* conn, PGresult* res, ExecStatusType expected, const std::string& query) {
  const ExecStatusType status = PQresultStatus(res);
  if (status == expected) {
    PQclear(res);
    return;
  }
  const std::string message = Message(conn, res);
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  PQclear(res);
  if (PQstatus(conn) != CONNECTION_OK) throw pqxx::broken_connection(message);
  throw pqxx::sql_error(message, query, sqlstate.empty() ? nullptr : sqlstate.c_str());
}

}  // namespace

LibpqConnection::LibpqConnection(const std::string& dsn, const std::string& application_name) {
  conn_ = PQconnectdb(dsn.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = Message(conn_, nullptr);
    PQfinish(conn_);
    conn_ = nullptr;
    throw pqxx::broken_connection(message);
  }
  if (PQsetClientEncoding(conn_, "UTF8") != 0) Fail("set client_encoding", "");
  Exec("SET application_name = " + Literal(application_name));
}

LibpqConnection::~LibpqConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void LibpqConnection::Exec(const std::string& sql) {
  // PQexec returns the last statement's result; earlier errors stop it.
  Check(conn_, PQexec(conn_, sql.c_str()), PGRES_COMMAND_OK, sql);
}

std::string LibpqConnection::Literal(std::string_view text) const {
  char* quoted = PQescapeLiteral(conn_, text.data(), text.size());
  if (quoted == nullptr) Fail("quote a literal", "");
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

void LibpqConnection::CopyBegin(const std::string& copy_sql) {
  Check(conn_, PQexec(conn_, copy_sql.c_str()), PGRES_COPY_IN, copy_sql);
}

void LibpqConnection::CopyPut(std::string_view data) {
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
    Fail("COPY data", "");
  }
}

void LibpqConnection::CopyFlush() {
  if (PQflush(conn_) != 0) Fail("COPY data", "");
}

void LibpqConnection::CopyEnd() {
  if (PQputCopyEnd(conn_, nullptr) != 1) Fail("COPY end", "");
  // The COPY's own result, then nothing.
  for (PGresult* res; (res = PQgetResult(conn_)) != nullptr;) {
    Check(conn_, res, PGRES_COMMAND_OK, "COPY");
  }
}

void LibpqConnection::Fail(const std::string& what, const std::string& query) const {
  const std::string message = what + ": " + Message(conn_, nullptr);
  if (PQstatus(conn_) != CONNECTION_OK) throw pqxx::broken_connection(message);
  throw pqxx::sql_error(message, query);
}

}  // namespace callledger::pg
