#include "missed_open_model.h"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "pg/pg_missed_open.h"
#include "pg/pg_row_codec.h"

namespace callledger::testing {

std::string Entry(const std::string& node, const std::string& call_id, const std::string& from,
                  std::int64_t start_us) {
  return node + "|" + call_id + "|" + from + "|" + std::to_string(start_us);
}

// The open missed calls of `rows` (every node's), from the definitions in
// core/call_stats.h, without any SQL.
Entries OpenMissedOf(const std::vector<CallRow>& rows) {
  Entries out;
  for (const CallRow& m : rows) {
    if (m.direction != kIn || m.answered || m.status != CallStatus::kFinished) continue;
    if (m.from_number.empty() || m.start_us == 0) continue;
    const bool resolved = std::any_of(rows.begin(), rows.end(), [&](const CallRow& c) {
      return c.answered && c.start_us != 0 && c.start_us > m.start_us &&
             ((c.direction == kOut && c.to_number == m.from_number) ||
              (c.direction == kIn && c.from_number == m.from_number));
    });
    if (!resolved) out.insert(Entry(m.node, m.call_id, m.from_number, m.start_us));
  }
  return out;
}

Entries ReadEntries(const TestDatabase& db, std::string_view query) {
  pqxx::connection conn(db.dsn());
  pqxx::read_transaction tx(conn);
  Entries out;
  const std::string sql = "SELECT node, call_id, from_number, " + pg::TimeSql("start_time") +
                          " FROM (" + std::string(query) + ") q";
  for (const auto& row : tx.exec(sql)) {
    const auto start = pg::ParseTimestamp(row[3].c_str());
    REQUIRE(start.has_value());
    const bool inserted = out.insert(Entry(row[0].as<std::string>(), row[1].as<std::string>(),
                                           row[2].as<std::string>(), *start))
                              .second;
    REQUIRE(inserted);  // one row per call
  }
  return out;
}

// What is wrong with missed_open, or "" when it equals both the SQL
// definition over call_logs and OpenMissedOf(rows).
std::string Mismatch(const TestDatabase& db, const std::vector<CallRow>& rows) {
  const Entries table = ReadEntries(db, "SELECT * FROM missed_open");
  const Entries by_sql = ReadEntries(db, pg::MissedOpenDefinitionSql());
  const Entries by_cxx = OpenMissedOf(rows);
  const auto diff = [](const Entries& a, const Entries& b, const std::string& what) {
    std::string out;
    for (const auto& e : a) {
      if (!b.contains(e)) out += " " + what + ": " + e + ";";
    }
    return out;
  };
  return diff(table, by_sql, "in missed_open, not by the SQL definition") +
         diff(by_sql, table, "by the SQL definition, not in missed_open") +
         diff(by_sql, by_cxx, "by the SQL definition, not by the rows written") +
         diff(by_cxx, by_sql, "by the rows written, not by the SQL definition");
}

// A batch of `size` random changes of `node`: new calls, changed calls,
// deletes, and now and then the same key twice.
std::vector<RowChange> RandomBatch(Scenario& s, const Model& model, const std::string& node,
                                   std::size_t size) {
  std::vector<CallRow> existing = model.RowsOf(node);
  std::vector<RowChange> batch;
  for (std::size_t i = 0; i < size; ++i) {
    const std::int64_t kind = existing.empty() ? 0 : s.Uniform(0, 9);
    if (kind <= 4) {
      batch.push_back(Upsert(s.NewCall(node)));
    } else if (kind <= 8) {
      const CallRow& r = existing[s.Uniform(0, existing.size() - 1)];
      batch.push_back(Upsert(s.Mutate(r)));
    } else {
      batch.push_back(Delete(node, existing[s.Uniform(0, existing.size() - 1)].call_id));
    }
  }
  return batch;
}

}  // namespace callledger::testing
