// projection_bench: how fast the ledger becomes call-log rows, with the raw
// limits measured in the same run as the reference.
//
//   projection_bench --pg DSN [--records N] [--dir PATH] [--keep-ledger]
//                    [--phases scan,fold,rebuild,copy,runner] [--early-after RECORDS]
//
// --keep-ledger leaves the ledger in --dir and reuses one of N records found
// there (profiling a phase need not rebuild it); --phases runs only the
// named measurements (copy folds first, for the rows, and checks them
// against the partition a rebuild in the same run wrote). PostgreSQL is
// needed for rebuild, copy and runner only. --early-after is the
// rebuild's (ledger-replay rebuild --early-after): 0 hands every finished
// row to PostgreSQL at once, a number beyond the ledger's size none before
// the fold ends.
//
// Builds a RocksDB ledger of N records from the captured observer sessions,
// replicated with fresh channel, bridge and call ids (every replica is a new
// set of calls, ~95 frames per call), then measures:
//   raw scan      RocksDB iteration over the records (the read limit)
//   fold          decode + projector, records/s and calls/s
//   rebuild       fold + COPY into a new partition + swap, end to end
//   raw COPY      the same rows COPYed by plain libpq into a plain keyed table
//                 (the write limit) and into one with call_logs' indexes
//                 (bench/raw_copy.h)
//   live runner   ProjectionRunner throughput at batch sizes 1, 100, 1000
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ari/event_decoder.h"
#include "ari/frame_record.h"
#include "core/projector.h"
#include "pg/pg_call_log_store.h"
#include "projection/record_projector.h"
#include "projection/runner.h"
#include "raw_copy.h"
#include "record/record_codec.h"
#include "replay/rebuild.h"
#include "replay/synthetic.h"
#include "store/rocks_event_log.h"

namespace {

using namespace callledger;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::vector<std::string> ObserverFrames() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(
           std::filesystem::path(CALL_LEDGER_SOURCE_DIR) / "fixtures" / "asterisk")) {
    if (e.path().filename().string().ends_with(".observer.jsonl")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> frames;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) frames.push_back(line);
    }
  }
  return frames;
}

void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "projection_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(2);
}

// Appends `records` records made from `frames` (replicated with fresh ids).
void BuildLedger(const std::filesystem::path& dir, const std::vector<std::string>& frames,
                 std::size_t records) {
  store::RocksOptions opts;
  opts.node = "bench";
  opts.sync_interval_ms = 5;
  auto log = store::RocksEventLog::Open(dir, opts);
  if (!log.ok()) Die("open ledger", log.status());
  ari::FrameParser parser;
  std::vector<RecordDraft> batch;
  for (std::size_t i = 0; i < records; ++i) {
    const std::uint64_t replica = i / frames.size() + 1;
    batch.push_back(
        ari::DraftFromFrame(parser, replay::WithFreshIds(frames[i % frames.size()], replica), 0));
    if (batch.size() == 1000 || i + 1 == records) {
      if (auto r = (*log)->Append(batch); !r.ok()) Die("append", r.status());
      batch.clear();
    }
  }
}

// Whether `dir` holds a ledger of exactly `records` records.
bool HasLedger(const std::filesystem::path& dir, std::size_t records) {
  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  auto log = store::RocksEventLog::Open(dir, ro);
  return log.ok() && (*log)->Head().seq.value == records;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t records = 1'000'000;
  std::string dsn;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "call-ledger-projection-bench";
  bool keep_ledger = false;
  std::string phases = "scan,fold,rebuild,copy,runner";
  replay::RebuildOptions rebuild_options;  // --early-after: as ledger-replay rebuild's
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--records" && i + 1 < argc)
      records = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--pg" && i + 1 < argc)
      dsn = argv[++i];
    else if (a == "--dir" && i + 1 < argc)
      dir = argv[++i];
    else if (a == "--keep-ledger")
      keep_ledger = true;
    else if (a == "--phases" && i + 1 < argc)
      phases = argv[++i];
    else if (a == "--early-after" && i + 1 < argc)
      rebuild_options.settle_after_records = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr,
                   "usage: projection_bench --pg DSN [--records N] [--dir PATH] [--keep-ledger] "
                   "[--phases scan,fold,rebuild,copy,runner] [--early-after RECORDS]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (dsn.empty()) {
    if (const char* env = std::getenv("CALL_LEDGER_TEST_PG")) dsn = env;
  }
  if (dsn.empty()) {
    std::fprintf(stderr,
                 "projection_bench: give --pg DSN (or run under tools/scripts/with-postgres.sh)\n");
    return 2;
  }

  // 1. The ledger (or the one a previous --keep-ledger run left).
  const auto frames = ObserverFrames();
  const auto wants = [&](std::string_view phase) {
    return phases.find(phase) != std::string::npos;
  };
  if (!keep_ledger || !HasLedger(dir, records)) {
    std::filesystem::remove_all(dir);
    BuildLedger(dir, frames, records);
  }
  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  auto opened = store::RocksEventLog::Open(dir, ro);
  if (!opened.ok()) Die("open ledger", opened.status());
  const EventLog& log = **opened;
  std::printf(
      "projection_bench: %zu records (%zu captured observer frames, replicated with fresh ids)\n",
      records, frames.size());

  // 2. Raw scan.
  double scan_rate = 0;
  if (wants("scan")) {
    std::uint64_t n = 0, bytes = 0;
    const auto start = Clock::now();
    const Status scanned = log.ScanEncoded(Seq{1}, Seq{UINT64_MAX}, [&](Seq, std::string_view v) {
      ++n;
      bytes += v.size();
      return true;
    });
    if (!scanned.ok()) Die("scan", scanned);
    const double secs = Seconds(start);
    scan_rate = static_cast<double>(n) / secs;
    std::printf("raw scan         %10.0f records/s  %7.1f MB/s\n", scan_rate,
                static_cast<double>(bytes) / secs / 1e6);
  }

  // Where a fold's time goes: record decoding, then JSON decoding of the
  // events the projector reads.
  if (wants("scan")) {
    std::uint64_t n = 0, parsed = 0;
    ari::EventDecoder decoder;
    AriEvent event;
    auto start = Clock::now();
    Status scanned = log.ScanEncoded(Seq{1}, Seq{UINT64_MAX}, [&](Seq, std::string_view v) {
      auto r = DecodeRecordView(v);
      n += r.ok();
      return true;
    });
    if (!scanned.ok()) Die("scan", scanned);
    double secs = Seconds(start);
    std::printf("scan+decode      %10.0f records/s\n", static_cast<double>(n) / secs);
    start = Clock::now();
    scanned = log.ScanEncoded(Seq{1}, Seq{UINT64_MAX}, [&](Seq, std::string_view v) {
      auto r = DecodeRecordView(v);
      if (r.ok() && projection::RecordDecoder::Reads(*r))
        parsed += decoder.DecodeEventInto(r->payload, &event).ok();
      return true;
    });
    if (!scanned.ok()) Die("scan", scanned);
    secs = Seconds(start);
    std::printf("  +JSON events   %10.0f records/s  (%llu events decoded)\n",
                static_cast<double>(n) / secs, static_cast<unsigned long long>(parsed));
  }

  // 3. Fold.
  std::vector<CallRow> rows;
  double fold_seconds = 0;
  if (wants("fold") || wants("copy")) {
    const auto start = Clock::now();
    auto folded = replay::FoldLedger(log, log.Head().seq);
    const double secs = Seconds(start);
    if (!folded.ok()) Die("fold", folded.status());
    fold_seconds = secs;
    const std::uint64_t n = folded->records, skipped = folded->skipped;
    rows = std::move(folded->rows);
    std::printf("fold             %10.0f records/s  %8.0f calls/s  (%zu calls, %llu skipped)\n",
                static_cast<double>(n) / secs, static_cast<double>(rows.size()) / secs, rows.size(),
                static_cast<unsigned long long>(skipped));
  }

  // 4. Rebuild end to end.
  std::unique_ptr<pg::PgCallLogStore> pg;
  if (wants("rebuild") || wants("copy") || wants("runner")) {
    auto opened_pg = pg::PgCallLogStore::Open(dsn);
    if (!opened_pg.ok()) Die("open PostgreSQL", opened_pg.status());
    pg = std::move(opened_pg.value());
  }
  double write_rate = 0;
  if (wants("rebuild")) {
    const auto start = Clock::now();
    auto report = replay::Rebuild(log, *pg, rebuild_options);
    const double secs = Seconds(start);
    if (!report.ok()) Die("rebuild", report.status());
    write_rate = static_cast<double>(report->rows) / report->write_seconds;
    const double rate = static_cast<double>(report->records) / secs;
    if (!report->statistics_error.empty()) Die("statistics", Internal(report->statistics_error));
    std::printf(
        "rebuild          %10.0f records/s  end to end, %.3f s (fold %.3f s with %llu of %llu rows "
        "written beside it, %llu withdrawn; then write %.3f s = %.0f rows/s until the rows are "
        "live; then statistics %.3f s)",
        rate, secs, report->fold_seconds, static_cast<unsigned long long>(report->rows_early),
        static_cast<unsigned long long>(report->rows),
        static_cast<unsigned long long>(report->withdrawn), report->write_seconds, write_rate,
        report->statistics_seconds);
    if (scan_rate > 0) std::printf("; %.0f%% of raw scan", 100.0 * rate / scan_rate);
    std::printf("\n");
    if (fold_seconds > 0) {
      std::printf(
          "  the fold with the early writes beside it took %.3f s, alone %.3f s (%+.0f ms)\n",
          report->fold_seconds, fold_seconds, 1000 * (report->fold_seconds - fold_seconds));
    }
  }

  // 5. Raw COPY of the same rows (bench/raw_copy.h): into a plain keyed
  // table as text (the write limit as the toolchain measured it, with
  // psql's \copy) and as binary (the bytes a rebuild sends: the stricter
  // reference), and into a table with call_logs' definition, indexes and
  // all (the same product as a rebuild's, its indexes maintained row by
  // row).
  if (wants("copy")) {
    const std::string text = bench::CopyData(rows, bench::CopyFormat::kText);
    const std::string binary = bench::CopyData(rows, bench::CopyFormat::kBinary);
    struct Reference {
      const char* label;
      const char* what;
      const char* table;
      const char* definition;
      bool binary;
    };
    constexpr const char* kKeyed =
        "(LIKE call_logs INCLUDING DEFAULTS, PRIMARY KEY (node, call_id))";
    for (const Reference& ref : {
             Reference{"raw COPY", "text, plain table with a primary key", "bench_raw_copy", kKeyed,
                       false},
             Reference{"raw COPY/binary", "binary, plain table with a primary key",
                       "bench_raw_copy_binary", kKeyed, true},
             Reference{"raw COPY/indexed", "binary, call_logs' indexes and constraints",
                       "bench_raw_copy_indexed", "(LIKE call_logs INCLUDING ALL)", true},
         }) {
      const auto copied = bench::RawCopy(
          dsn, ref.table, ref.definition, ref.binary ? binary : text,
          ref.binary ? bench::CopyFormat::kBinary : bench::CopyFormat::kText, "bench");
      const double rate = static_cast<double>(rows.size()) / copied.seconds;
      std::printf(
          "%-17s%10.0f rows/s     (same rows, %s; %s the rebuilt partition)%s\n", ref.label, rate,
          ref.what, copied.same_rows ? "equal to" : "NOT equal to",
          write_rate > 0
              ? (" rebuild write phase = " +
                 std::to_string(static_cast<int>(100.0 * write_rate / rate + 0.5)) + "% of it")
                    .c_str()
              : "");
    }
  }

  // 6. The live runner at batch sizes 1, 100, 1000.
  for (std::size_t batch : {std::size_t{1}, std::size_t{100}, std::size_t{1000}}) {
    if (!wants("runner")) break;
    if (Status s = pg->ReplaceAll("bench", {}, Seq{}); !s.ok()) Die("reset", s);
    const std::uint64_t limit = batch == 1 ? 20'000 : batch == 100 ? 200'000 : records;
    projection::RunnerOptions options;
    options.batch_records = batch;
    projection::ProjectionRunner runner(log, *pg, options);
    const auto start = Clock::now();
    auto applied = runner.CatchUp(std::min<std::uint64_t>(limit, records));
    const double secs = Seconds(start);
    if (!applied.ok()) Die("runner", applied.status());
    std::printf(
        "live runner/%-5zu%10.0f records/s  %8.0f rows/s  (%llu records, %llu transactions)\n",
        batch, static_cast<double>(*applied) / secs,
        static_cast<double>(runner.stats().rows_written) / secs,
        static_cast<unsigned long long>(*applied),
        static_cast<unsigned long long>(runner.stats().batches));
  }
  opened->reset();
  if (!keep_ledger) std::filesystem::remove_all(dir);
  return 0;
}
