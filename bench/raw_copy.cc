#include "raw_copy.h"

#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "copy_text.h"
#include "pg/pg_copy_binary.h"

namespace callledger::bench {
namespace {

void Fail(const std::string& what, PGconn* conn) {
  std::fprintf(stderr, "projection_bench: raw COPY: %s: %s\n", what.c_str(), PQerrorMessage(conn));
  std::exit(2);
}

void Exec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(sql, conn);
}

}  // namespace

std::string CopyData(const std::vector<CallRow>& rows, CopyFormat format) {
  std::string out;
  if (format == CopyFormat::kText) {
    for (const CallRow& r : rows) AppendCopyLine(r, &out);
    return out;
  }
  // The store's own encoder: exactly the bytes a rebuild sends.
  pg::AppendCopyBinaryHeader(&out);
  for (const CallRow& r : rows) pg::AppendCopyBinaryRow(r, &out);
  pg::AppendCopyBinaryTrailer(&out);
  return out;
}

RawCopyResult RawCopy(const std::string& dsn, const std::string& table,
                      const std::string& definition, const std::string& text, CopyFormat format,
                      const std::string& node) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  if (PQstatus(conn) != CONNECTION_OK) Fail("connect", conn);
  Exec(conn, "SET client_encoding = 'UTF8'");
  Exec(conn, "SET client_min_messages = warning");
  Exec(conn, "DROP TABLE IF EXISTS " + table);
  Exec(conn, "CREATE TABLE " + table + " " + definition);

  RawCopyResult result;
  const auto start = std::chrono::steady_clock::now();
  Exec(conn, "BEGIN");
  const std::string copy =
      "COPY " + table + " FROM STDIN" + (format == CopyFormat::kBinary ? " (FORMAT binary)" : "");
  PGresult* r = PQexec(conn, copy.c_str());
  if (PQresultStatus(r) != PGRES_COPY_IN) Fail("COPY", conn);
  PQclear(r);
  constexpr std::size_t kChunk = 64 << 10;
  for (std::size_t at = 0; at < text.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, text.size() - at);
    if (PQputCopyData(conn, text.data() + at, static_cast<int>(n)) != 1) Fail("COPY data", conn);
  }
  if (PQputCopyEnd(conn, nullptr) != 1) Fail("COPY end", conn);
  while ((r = PQgetResult(conn)) != nullptr) {
    const ExecStatusType status = PQresultStatus(r);
    PQclear(r);
    if (status != PGRES_COMMAND_OK) Fail("COPY", conn);
  }
  Exec(conn, "COMMIT");
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The same rows as the rebuild wrote: equal counts and nothing in one
  // that is not in the other (every column compared).
  const std::string q = "'" + node + "'";  // the bench's own node name
  const std::string compare = "SELECT (SELECT count(*) FROM " + table +
                              ") = (SELECT count(*) FROM call_logs WHERE node = " + q +
                              ") AND NOT EXISTS (SELECT * FROM " + table +
                              " EXCEPT SELECT * FROM call_logs WHERE node = " + q + ")";
  r = PQexec(conn, compare.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) Fail("compare", conn);
  result.same_rows = std::string(PQgetvalue(r, 0, 0)) == "t";
  PQclear(r);
  Exec(conn, "DROP TABLE " + table);
  PQfinish(conn);
  return result;
}

}  // namespace callledger::bench
