// LibpqConnection: a bare libpq connection, for what libpqxx 6.4 cannot do
// (COPY in binary format: its COPY writer sends text lines only). Internal
// to src/pg.
//
// Errors are thrown as libpqxx's exceptions, so that the store's Guard
// classifies them like any other: pqxx::broken_connection when the server
// cannot be reached or the connection broke, pqxx::sql_error carrying the
// statement's SQLSTATE otherwise.
//
// Owns its PGconn; not thread-safe (one thread at a time).
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct pg_conn;

namespace callledger::pg {

class LibpqConnection {
 public:
  // Connects with client_encoding UTF8 and the given application_name.
  LibpqConnection(const std::string& dsn, const std::string& application_name);
  ~LibpqConnection();
  LibpqConnection(const LibpqConnection&) = delete;
  LibpqConnection& operator=(const LibpqConnection&) = delete;

  // Runs one or more statements that return no rows.
  void Exec(const std::string& sql);
  // `text` as an SQL string literal (quoted and escaped by libpq).
  std::string Literal(std::string_view text) const;

  // COPY ... FROM STDIN: Begin with the COPY statement, Put the data in
  // pieces of any size, End to finish it (the server's verdict).
  void CopyBegin(const std::string& copy_sql);
  void CopyPut(std::string_view data);
  // Sends what libpq still buffers of the COPY data (it keeps small pieces
  // until more come).
  void CopyFlush();
  void CopyEnd();

 private:
  [[noreturn]] void Fail(const std::string& what, const std::string& query) const;

  pg_conn* conn_ = nullptr;
};

}  // namespace callledger::pg
