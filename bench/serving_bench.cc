// serving_bench: the HTTP API and the live feed on a full-size call log,
// measured through real sockets on loopback (issue 5). Run it under
// tools/scripts/with-postgres.sh; it makes a private database there.
//
//   serving_bench [--rows N] [--requests N] [--warmup N] [--concurrency N]
//                 [--clients N] [--rate N] [--seconds N] [--phases search,csv,live]
//                 [--keep-db] [--csv-limit S] [--load all|streamed]
//
// 1. N synthetic call rows (bench/serving_rows.h) are loaded with
//    PgCallLogStore::ReplaceAll (COPY, then one sort per index), or with
//    --load streamed as `ledger-replay rebuild` writes them
//    (BeginReplace: indexes first, rows handed over in pieces in the order
//    their calls ended), and vacuumed/analyzed, as a table that has been
//    live for weeks would be.
// 2. An in-process server::HttpServer answers GET requests from keep-alive
//    clients: each search kind `--requests` times after `--warmup`, with
//    varying parameters, first from one client, then from `--concurrency`.
// 3. CSV exports (every row; ~10 % of them) are read to the end; their row
//    counts are checked against SELECT count(*). An export still running
//    after `--csv-limit` seconds (default 1800, a safety net) is cut off and
//    reported with the rate it had reached.
// 4. The live feed: paced ledger appends -> ProjectionLoop -> Publish ->
//    `--clients` WebSocket clients (bench/serving_live.h).
// Phases 2 to 4 and their tables: bench/serving_phases.h.
// --keep-db leaves the database in place (and prints its DSN) for EXPLAIN;
// with --phases load the program only loads it.
// Targets (issue 5): search p99 <= 10 ms; CSV >= 100,000 rows/s; live push
// p99 <= 25 ms from ledger append with 100 clients.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "pg/pg_call_log_reader.h"
#include "pg/pg_call_log_store.h"
#include "server/http_server.h"
#include "serving_phases.h"
#include "serving_rows.h"
#include "store/rocks_event_log.h"

namespace {

using namespace callledger;
using namespace callledger::bench;

constexpr const char* kNode = "pbx1";

// A database of its own, dropped at exit: runs never see each other's rows.
class PrivateDatabase {
 public:
  PrivateDatabase(std::string admin_dsn, bool keep)
      : admin_dsn_(std::move(admin_dsn)), keep_(keep) {
    name_ = "serving_bench_" + std::to_string(getpid()) + "_" +
            std::to_string(std::random_device{}() % 100000);
    pqxx::connection admin(admin_dsn_);
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + tx.quote_name(name_) +
            " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
    // keyword=value: the last dbname wins; a URI takes it as a parameter.
    const bool uri = admin_dsn_.starts_with("postgres");
    dsn_ = admin_dsn_ +
           (uri ? (admin_dsn_.find('?') == std::string::npos ? "?" : "&") : std::string(" ")) +
           "dbname=" + name_;
  }
  ~PrivateDatabase() {
    if (keep_) {
      std::printf("kept the database: %s\n", dsn_.c_str());
      return;
    }
    try {
      pqxx::connection admin(admin_dsn_);
      pqxx::nontransaction tx(admin);
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "serving_bench: could not drop %s: %s\n", name_.c_str(), e.what());
    }
  }
  const std::string& dsn() const { return dsn_; }

 private:
  std::string admin_dsn_;
  bool keep_;
  std::string name_;
  std::string dsn_;
};

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  std::string command = "serving_bench";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--rows" && has_value)
      f.rows = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--requests" && has_value)
      f.requests = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--warmup" && has_value)
      f.warmup = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--concurrency" && has_value)
      f.concurrency = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--clients" && has_value)
      f.clients = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--rate" && has_value)
      f.rate = std::strtod(argv[++i], nullptr);
    else if (a == "--seconds" && has_value)
      f.seconds = std::strtod(argv[++i], nullptr);
    else if (a == "--days" && has_value)
      f.days = std::atoi(argv[++i]);
    else if (a == "--phases" && has_value)
      f.phases = argv[++i];
    else if (a == "--keep-db")
      f.keep_db = true;
    else if (a == "--csv-limit" && has_value)
      f.csv_limit_s = std::atoi(argv[++i]);
    else if (a == "--load" && has_value &&
             (std::string_view(argv[i + 1]) == "all" ||
              std::string_view(argv[i + 1]) == "streamed"))
      f.streamed = std::string_view(argv[++i]) == "streamed";
    else {
      std::fprintf(stderr,
                   "usage: serving_bench [--rows N] [--requests N] [--warmup N] [--concurrency N]\n"
                   "                     [--clients N] [--rate N] [--seconds N] [--days N]\n"
                   "                     [--phases search,csv,live] [--keep-db] [--csv-limit S]\n"
                   "                     [--load all|streamed]\n"
                   "(under tools/scripts/with-postgres.sh)\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (f.rows < 100 || f.days < 1 || f.requests < 1 || f.concurrency < 1 || f.rate <= 0) {
    std::fprintf(stderr,
                 "serving_bench: --rows >= 100, --days >= 1, --requests >= 1, --rate > 0\n");
    return 2;
  }
  const char* admin = std::getenv("CALL_LEDGER_TEST_PG");
  if (admin == nullptr || *admin == '\0') {
    std::fprintf(stderr, "serving_bench: run it under tools/scripts/with-postgres.sh\n");
    return 2;
  }
  const auto wants = [&](std::string_view p) { return f.phases.find(p) != std::string::npos; };
  std::printf("%s\n", command.c_str());

  // 1. The call log.
  PrivateDatabase db(admin, f.keep_db);
  auto start = Clock::now();
  RowSetOptions ro;
  ro.rows = f.rows;
  ro.node = kNode;
  ro.days = f.days;
  ro.now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  ro.numbers = std::max<std::size_t>(100, f.rows / 25);
  const RowSet set = MakeRows(ro);
  const double generate_secs = Seconds(start);
  {
    auto store = pg::PgCallLogStore::Open(db.dsn());
    if (!store.ok()) Die("open PostgreSQL", store.status());
    start = Clock::now();
    if (!f.streamed) {
      if (Status s = (*store)->ReplaceAll(kNode, set.rows, Seq{0}); !s.ok()) Die("ReplaceAll", s);
    } else {
      // Finished calls in the order they ended (live ones last), 256 rows
      // per hand-over, as a rebuild's fold gives them.
      std::vector<const CallRow*> order;
      for (const CallRow& r : set.rows) order.push_back(&r);
      const auto ended = [](const CallRow* r) {
        return r->end_us != 0 ? r->end_us : std::numeric_limits<std::int64_t>::max();
      };
      std::stable_sort(order.begin(), order.end(),
                       [&](const CallRow* a, const CallRow* b) { return ended(a) < ended(b); });
      auto replacement = (*store)->BeginReplace(kNode);
      if (!replacement.ok()) Die("BeginReplace", replacement.status());
      std::vector<CallRow> piece, rest;
      for (const CallRow* r : order) {
        if (r->end_us == 0) {
          rest.push_back(*r);
          continue;
        }
        piece.push_back(*r);
        if (piece.size() == 256) {
          if (Status s = (*replacement)->Add(std::move(piece)); !s.ok()) Die("Add", s);
          piece.clear();
        }
      }
      if (Status s = (*replacement)->Add(std::move(piece)); !s.ok()) Die("Add", s);
      if (Status s = (*replacement)->Finish(rest, {}, Seq{0}); !s.ok()) Die("Finish", s);
    }
  }
  const double load_secs = Seconds(start);
  start = Clock::now();
  {
    // A table that has served for weeks has been vacuumed: hint bits set,
    // visibility map built, statistics current.
    pqxx::connection conn(db.dsn());
    pqxx::nontransaction tx(conn);
    tx.exec("VACUUM (ANALYZE) call_logs");
  }
  const double vacuum_secs = Seconds(start);
  std::printf(
      "call log: %zu rows (node %s, %d days, %zu customer numbers, %zu live); generated in %.1f s; "
      "%s %.1f s = %.0f rows/s; VACUUM ANALYZE %.1f s\n",
      set.rows.size(), kNode, f.days, set.numbers.size(), set.live, generate_secs,
      f.streamed ? "streamed (BeginReplace, indexes first)" : "ReplaceAll (COPY, then indexes)",
      load_secs, static_cast<double>(set.rows.size()) / load_secs, vacuum_secs);

  // 2. The server, wired as call-ledgerd wires it.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("call-ledger-serving-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  store::RocksOptions lo;
  lo.node = kNode;
  auto ledger = store::RocksEventLog::Open(dir, lo);
  if (!ledger.ok()) Die("open ledger", ledger.status());
  MetricsRegistry metrics;
  server::HttpServerOptions so;
  so.port = 0;
  so.db_workers = 4;
  so.node = kNode;
  so.api.zone = "Asia/Tashkent";
  server::HttpServerDeps deps;
  const std::string dsn = db.dsn();
  deps.make_reader = [dsn]() -> std::unique_ptr<CallLogReader> {
    pg::PgReaderOptions o;
    o.application_name = "serving-bench-http";
    return std::make_unique<pg::PgCallLogReader>(dsn, o);
  };
  deps.ledger = ledger->get();
  deps.metrics = &metrics;
  deps.health = [] { return server::HealthReport{}; };
  {
    server::HttpServer server(so, deps);
    auto bound = server.Start();
    if (!bound.ok()) Die("start the server", bound.status());
    const auto port = static_cast<std::uint16_t>(std::stoi(bound->substr(bound->rfind(':') + 1)));
    std::printf("server: %s, %zu database workers\n", bound->c_str(), so.db_workers);
    std::fflush(stdout);

    if (wants("search")) Searches(f, set, port);
    if (wants("csv")) CsvExports(f, set, dsn, port);
    if (wants("live")) Live(f, dsn, port, **ledger, server, metrics);
    server.Stop();
  }
  ledger->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
