#include "raw_copy.h"

#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "ari/timestamp.h"

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

// COPY text escaping: backslash, tab, line feed and carriage return.
void AppendText(std::string& out, const std::string& s) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

class Line {
 public:
  explicit Line(std::string& out) : out_(out) {}
  ~Line() { out_ += '\n'; }
  void Text(const std::string& s) {  // always present
    Sep();
    AppendText(out_, s);
  }
  void OptText(const std::string& s) {  // empty = NULL, as the store writes it
    if (s.empty()) return Null();
    Text(s);
  }
  void Time(std::int64_t us) {  // 0 = NULL; "2026-11-26 09:15:58.161234+00"
    if (us == 0) return Null();
    std::string t = ari::FormatUtcMicros(us);  // "2026-11-26T09:15:58.161234Z"
    t[10] = ' ';
    t.back() = '+';
    Text(t + "00");
  }
  template <typename T>
  void Number(const std::optional<T>& v) {
    if (!v) return Null();
    Text(std::to_string(*v));
  }
  void Bool(bool b) { Text(b ? "t" : "f"); }

 private:
  void Sep() {
    if (!first_) out_ += '\t';
    first_ = false;
  }
  void Null() {
    Sep();
    out_ += "\\N";
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace

std::string CopyText(const std::vector<CallRow>& rows) {
  std::string out;
  for (const CallRow& r : rows) {
    Line line(out);
    line.Text(r.call_id);
    line.OptText(r.direction);
    line.OptText(r.from_number);
    line.OptText(r.to_number);
    line.Time(r.start_us);
    line.Time(r.end_us);
    line.Number(r.duration_s);
    line.Text(std::string(CallStatusName(r.status)));
    line.OptText(r.recording_path);
    line.Text(r.channel_id);
    line.Text(r.node);
    line.OptText(r.caller_name);
    line.Time(r.answer_us);
    line.Number(r.ring_s);
    line.Number(r.talk_s);
    line.Bool(r.answered);
    line.OptText(r.disposition);
    line.Number(r.hangup_cause);
    line.OptText(r.hangup_cause_txt);
    line.Bool(r.end_estimated);
    line.Bool(r.args_ok);
    line.Number(std::optional<std::uint64_t>(r.first_seq.value));
    line.Number(std::optional<std::uint64_t>(r.last_seq.value));
    line.Number(std::optional<int>(r.projector_version));
  }
  return out;
}

RawCopyResult RawCopy(const std::string& dsn, const std::string& table,
                      const std::string& definition, const std::string& text,
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
  PGresult* r = PQexec(conn, ("COPY " + table + " FROM STDIN").c_str());
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
