// What missed_open (pg/pg_missed_open.h) costs its writers, on serving_rows'
// synthetic call log:
//   - RecomputeMissedOpen on N rows (migration 4 and every rebuild do it);
//   - the upkeep of one ApplyBatch of --batch new rows on another node,
//     timed alone (ReadBefore + Apply, each batch rolled back), next to the
//     whole ApplyBatch of such a batch (committed).
//
// Usage (under tools/scripts/with-postgres.sh):
//   missed_open_bench [--rows N] [--batch N] [--rounds N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "pg/pg_call_log_store.h"
#include "pg/pg_missed_open.h"
#include "serving_rows.h"

namespace callledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

[[noreturn]] void Die(const char* what, const Status& s) {
  std::fprintf(stderr, "missed_open_bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace
}  // namespace callledger::bench

int main(int argc, char** argv) {
  using namespace callledger;
  using namespace callledger::bench;
  std::size_t rows = 1'000'000, batch = 1000, rounds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const std::size_t v = std::strtoull(argv[i + 1], nullptr, 10);
    if (a == "--rows")
      rows = v;
    else if (a == "--batch")
      batch = v;
    else if (a == "--rounds")
      rounds = v;
  }
  const char* admin = std::getenv("CALL_LEDGER_TEST_PG");
  if (admin == nullptr || rows < 100 || batch < 1 || rounds < 1) {
    std::fprintf(stderr,
                 "usage: missed_open_bench [--rows N>=100] [--batch N] [--rounds N] "
                 "(under tools/scripts/with-postgres.sh)\n");
    return 2;
  }
  const std::string dbname = "missed_open_bench";
  {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    tx.exec("DROP DATABASE IF EXISTS " + dbname);
    tx.exec("CREATE DATABASE " + dbname + " TEMPLATE template0");
  }
  const std::string dsn = std::string(admin) + " dbname=" + dbname;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  RowSetOptions ro;
  ro.rows = rows;
  ro.now_us = now;
  ro.numbers = std::max<std::size_t>(100, rows / 25);
  const RowSet set = MakeRows(ro);
  auto store = pg::PgCallLogStore::Open(dsn);
  if (!store.ok()) Die("open", store.status());
  auto start = Clock::now();
  if (Status s = (*store)->ReplaceAll(ro.node, set.rows, Seq{1}); !s.ok()) Die("ReplaceAll", s);
  const double replace_ms = Ms(start);
  pqxx::connection conn(dsn);
  {
    pqxx::nontransaction tx(conn);
    tx.exec("VACUUM ANALYZE");
  }
  std::vector<double> recompute;
  std::string open;
  for (int i = 0; i < 3; ++i) {
    pqxx::work tx(conn);
    start = Clock::now();
    pg::RecomputeMissedOpen(tx);
    recompute.push_back(Ms(start));
    open = tx.exec1("SELECT count(*) FROM missed_open")[0].as<std::string>();
    tx.commit();
  }
  std::printf(
      "%zu rows (%zu missed_open): ReplaceAll %.0f ms; RecomputeMissedOpen median %.1f ms\n", rows,
      static_cast<std::size_t>(std::stoull(open)), replace_ms, Median(recompute));

  // Batches of new calls on a second node with the same customers, started
  // in the last day: missed calls, callbacks, answered calls.
  std::vector<double> upkeep, whole;
  // The second node's partition, empty.
  if (Status s = (*store)->ReplaceAll("pbx2", {}, Seq{0}); !s.ok()) Die("ReplaceAll pbx2", s);
  for (std::size_t r = 0; r < rounds; ++r) {
    RowSetOptions bo = ro;
    bo.rows = batch;
    bo.node = "pbx2";
    bo.days = 1;
    bo.seed = 1000 + r;
    const RowSet b = MakeRows(bo);
    std::vector<RowChange> changes;
    std::vector<const RowChange*> upserts;
    for (const CallRow& row : b.rows) {
      changes.push_back(RowChange{RowChange::Op::kUpsert, row});
      changes.back().row.call_id += "-" + std::to_string(r);
    }
    for (const RowChange& ch : changes) upserts.push_back(&ch);
    {
      // The upkeep alone: the rows written between its two steps, untimed.
      pqxx::work tx(conn);
      pg::MissedOpenUpkeep u(bo.node);
      start = Clock::now();
      u.ReadBefore(tx, upserts, {});
      double ms = Ms(start);
      for (const RowChange& ch : changes) {
        const CallRow& row = ch.row;
        tx.exec_params(
            "INSERT INTO call_logs (call_id, direction, from_number, to_number, start_time, status,"
            " channel_id, node, answered, end_estimated, args_ok, first_seq, last_seq,"
            " projector_version) VALUES ($1, $2, $3, $4, 'epoch'::timestamptz + $5::bigint *"
            " interval '1 microsecond', $6, $7, $8, $9, false, true, 1, 1, 1)",
            row.call_id, row.direction, row.from_number, row.to_number, row.start_us,
            std::string(CallStatusName(row.status)), row.channel_id, row.node, row.answered);
      }
      start = Clock::now();
      u.Apply(tx, upserts);
      ms += Ms(start);
      upkeep.push_back(ms);
      tx.abort();
    }
    start = Clock::now();
    if (Status s = (*store)->ApplyBatch(bo.node, Seq{r}, Seq{r + 1}, changes); !s.ok()) {
      Die("ApplyBatch", s);
    }
    whole.push_back(Ms(start));
  }
  std::printf(
      "ApplyBatch of %zu new rows on another node: median %.1f ms, of which the "
      "missed_open upkeep (timed alone) median %.1f ms (%zu rounds)\n",
      batch, Median(whole), Median(upkeep), rounds);
  return 0;
}
