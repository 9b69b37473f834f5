// ledger-replay: rebuild and regression tools over the ledger.
// This main only parses arguments and calls library code (src/replay).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/progress.h"
#include "pg/pg_call_log_store.h"
#include "projection/row_format.h"
#include "projection/runner.h"
#include "replay/expected_rows.h"
#include "replay/fixture.h"
#include "replay/import.h"
#include "replay/rebuild.h"
#include "store/rocks_event_log.h"

namespace {

using namespace callledger;

constexpr int kExitError = 2;

constexpr const char* kFixtureFooter = R"(
Cuts and CEL: a daemon's run, simulated
  With --drop-at or --cel, FILE must be a plain capture (frames only, numbered
  from 1 over its non-empty lines), and the rows are those of the records
  call-ledgerd would have appended had ari-sim played FILE with the same
  --drop-at N --gap M (after frame N the connection closes; frames
  N+1..N+M are never sent, but Asterisk's state takes them in), with
  cel.file set to the --cel log: its start (a note with the projector
  options, a gap and a reconcile), frames 1..N, per cut a gap ("connected
  to ARI after: closed by Asterisk"), a reconcile holding /ari/channels and
  /ari/bridges after frames 1..N+M (ari-sim's own answers), with --cel the
  cel records of the gap's window (the daemon's code and defaults: from
  5 s before the last frame heard to the reconcile), then frames N+M+1 on.
  Every time is taken from the capture's ARI timestamps (T(i): the latest
  up to frame i): the gap runs from T(N) to the reconnection, 300 ms before
  frame N+M+1 (never before T(N+M); T(N+M) + 300 ms when the gap runs to
  the end); the first connection is 300 ms before frame 1. The run is
  deterministic, so --expect ROWS [--update] keeps its rows as a golden
  file. --records prints the simulated records instead of rows (feed them
  back to `ledger-replay fixture` for the same rows). Bad cuts (N beyond
  the last frame, a gap past it, a cut inside the previous one's gap) and a
  missing CEL file exit 2.
)";

int RunImport(const std::string& file, const std::string& ledger_dir, const std::string& node_arg,
              int sync_interval_ms, std::size_t max_frame_bytes) {
  // Check the file first so a bad file never creates or touches a ledger.
  replay::ImportOptions options;
  options.limits.max_frame_bytes = max_frame_bytes;
  if (Status s = replay::CheckImportable(file, options.max_line_bytes); !s.ok()) {
    std::fprintf(stderr, "ledger-replay import: %s\n", s.message().c_str());
    return kExitError;
  }
  store::RocksOptions ro;
  ro.node = node_arg;
  ro.sync_interval_ms = sync_interval_ms;
  auto opened = store::RocksEventLog::Open(ledger_dir, ro);
  if (!opened.ok()) {
    std::fprintf(stderr, "ledger-replay import: %s\n", opened.status().message().c_str());
    return kExitError;
  }
  auto& log = *opened.value();
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  cli::ProgressBar bar("importing " + std::filesystem::path(file).filename().string(), size, "B");
  auto result = replay::ImportJsonl(file, log, options, [&](std::uint64_t done, std::uint64_t) {
    // Only files big enough to wait for get a progress line.
    if (size >= (16u << 20)) bar.Update(done);
  });
  bar.Finish();
  if (!result.ok()) {
    std::fprintf(stderr, "ledger-replay import: %s\n", result.status().ToString().c_str());
    return kExitError;
  }
  if (Status s = log.Sync(); !s.ok()) {
    std::fprintf(stderr, "ledger-replay import: %s\n", s.ToString().c_str());
    return kExitError;
  }
  const auto& r = *result;
  std::printf("imported %llu records from %s into %s (node %s)\n",
              static_cast<unsigned long long>(r.lines), file.c_str(), ledger_dir.c_str(),
              log.Info().node.c_str());
  if (r.lines > 0) {
    std::printf("  seq %llu..%llu\n", static_cast<unsigned long long>(r.seqs.first.value),
                static_cast<unsigned long long>(r.seqs.last.value));
  }
  for (const auto& [kind, n] : r.by_kind) {
    std::printf("  %-12s %llu\n", kind.c_str(), static_cast<unsigned long long>(n));
  }
  if (r.blank_lines > 0) {
    std::printf("  blank lines skipped: %llu\n", static_cast<unsigned long long>(r.blank_lines));
  }
  const double rate = r.seconds > 0 ? static_cast<double>(r.lines) / r.seconds : 0;
  std::printf("  %.3f s, %.0f records/s, %.1f MB/s\n", r.seconds, rate,
              r.seconds > 0 ? static_cast<double>(r.bytes) / r.seconds / 1e6 : 0.0);
  return 0;
}

// What `fixture` is asked for besides the file and the projector options.
struct FixtureArgs {
  std::string file, expect, format = "json", node;
  bool update = false;
  std::vector<std::string> option_args;
  std::string cel_file, info_file;
  std::vector<std::uint64_t> drop_at, gaps;
  bool records = false;
};

int FixtureFail(const std::string& message) {
  std::fprintf(stderr, "ledger-replay fixture: %s\n", message.c_str());
  return kExitError;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidInput("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The cuts, the CEL log and the Asterisk info of a simulated daemon run.
Status SimulationOptions(const FixtureArgs& args, replay::FixtureOptions& options) {
  if (!args.gaps.empty() && args.gaps.size() != args.drop_at.size()) {
    return InvalidInput("give one --gap per --drop-at (or none at all for gaps of 0)");
  }
  for (std::size_t i = 0; i < args.drop_at.size(); ++i) {
    options.cuts.push_back({args.drop_at[i], args.gaps.empty() ? 0 : args.gaps[i]});
  }
  if (!args.cel_file.empty()) options.cel_file = args.cel_file;
  if (!args.info_file.empty()) {
    if (!options.simulated()) return InvalidInput("--asterisk-info needs --drop-at or --cel");
    ASSIGN_OR_RETURN(options.asterisk_info, ReadWholeFile(args.info_file));
  }
  return Status::Ok();
}

int RunFixtureCmd(const FixtureArgs& args) {
  const std::string& file = args.file;
  const std::string& expect = args.expect;
  const std::string& format = args.format;
  const auto& option_args = args.option_args;
  const bool update = args.update;
  replay::FixtureOptions options;
  if (!args.node.empty()) options.node = args.node;
  if (Status s = SimulationOptions(args, options); !s.ok()) return FixtureFail(s.message());
  options.keep_records = args.records;
  for (const auto& kv : option_args) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "ledger-replay fixture: --option takes KEY=VALUE, got '%s'\n",
                   kv.c_str());
      return kExitError;
    }
    const std::string key = kv.substr(0, eq);
    if (key != "call_app" && key != "recordings_dir") {
      std::fprintf(stderr,
                   "ledger-replay fixture: unknown option '%s' (known: call_app, recordings_dir)\n",
                   key.c_str());
      return kExitError;
    }
    options.projector_options.emplace_back(key, kv.substr(eq + 1));
  }
  auto result = replay::RunFixture(file, options);
  if (!result.ok()) return FixtureFail(result.status().message());
  if (args.records) {
    std::cout << result->records_fixture;
    return 0;
  }
  if (update) {
    auto outcome = replay::UpdateExpected(result->rows, expect);
    if (!outcome.ok()) {
      std::fprintf(stderr, "ledger-replay fixture: %s\n", outcome.status().message().c_str());
      return kExitError;
    }
    if (!outcome->changed) {
      std::printf("%s: %zu rows, %s unchanged\n", file.c_str(), result->rows.size(),
                  expect.c_str());
    } else if (outcome->created) {
      std::printf("%s: wrote %zu rows into the new file %s\n", file.c_str(), result->rows.size(),
                  expect.c_str());
    } else {
      std::printf(
          "%s: rewrote %s (%zu rows); what changed:\n%s", file.c_str(), expect.c_str(),
          result->rows.size(),
          outcome->diff.empty() ? "  the same rows, written differently\n" : outcome->diff.c_str());
    }
    return 0;
  }
  if (!expect.empty()) {
    std::ifstream in(expect, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "ledger-replay fixture: cannot read %s\n", expect.c_str());
      return kExitError;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto diff = projection::DiffRowsJson(result->rows, text.str());
    if (!diff.ok()) {
      std::fprintf(stderr, "ledger-replay fixture: %s: %s\n", expect.c_str(),
                   diff.status().message().c_str());
      return kExitError;
    }
    if (!diff->empty()) {
      std::printf("%s: rows differ from %s\n%s", file.c_str(), expect.c_str(), diff->c_str());
      return 1;
    }
    std::printf("%s: %zu rows match %s\n", file.c_str(), result->rows.size(), expect.c_str());
    return 0;
  }
  if (format == "csv") {
    std::cout << projection::RowsToCsv(result->rows);
  } else if (format == "table") {
    std::cout << projection::RowsToTable(result->rows);
  } else {
    std::cout << projection::RowsToJson(result->rows);
  }
  return 0;
}

// The ledger read-only (the daemon may be appending) and the PostgreSQL store.
struct Opened {
  std::unique_ptr<store::RocksEventLog> log;
  std::unique_ptr<pg::PgCallLogStore> pg;
};

Result<Opened> OpenBoth(const std::string& ledger_dir, const std::string& dsn,
                        pg::PgOptions pg_options = {}) {
  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  ASSIGN_OR_RETURN(auto log, store::RocksEventLog::Open(ledger_dir, ro));
  ASSIGN_OR_RETURN(auto pg, pg::PgCallLogStore::Open(dsn, std::move(pg_options)));
  return Opened{std::move(log), std::move(pg)};
}

int RunRebuild(const std::string& ledger_dir, const std::string& dsn, std::uint64_t settle_after) {
  pg::PgOptions pg_options;
  pg_options.on_rebuild_wait = [] {
    std::fprintf(
        stderr,
        "ledger-replay rebuild: another rebuild of this database is running; waiting for it "
        "to finish\n");
  };
  auto opened = OpenBoth(ledger_dir, dsn, pg_options);
  if (!opened.ok()) {
    std::fprintf(stderr, "ledger-replay rebuild: %s\n", opened.status().message().c_str());
    return kExitError;
  }
  const EventLog& log = *opened->log;
  cli::ProgressBar bar("folding", log.Head().seq.value, "records");
  replay::RebuildOptions rebuild;
  rebuild.progress = [&](Seq reached, Seq) { bar.Update(reached.value); };
  rebuild.settle_after_records = settle_after;
  auto report = replay::Rebuild(log, *opened->pg, rebuild);
  bar.Finish();
  if (!report.ok()) {
    std::fprintf(stderr, "ledger-replay rebuild: %s\n", report.status().ToString().c_str());
    return kExitError;
  }
  const double total = report->fold_seconds + report->write_seconds + report->statistics_seconds;
  std::printf("rebuilt node %s: %llu records -> %llu calls, checkpoint seq %llu\n",
              log.Info().node.c_str(), static_cast<unsigned long long>(report->records),
              static_cast<unsigned long long>(report->rows),
              static_cast<unsigned long long>(report->checkpoint.value));
  std::printf(
      "  fold %.2f s (%llu rows written beside it, %llu of them withdrawn: they changed "
      "later), then write %.2f s (rows live), statistics %.2f s, %.0f records/s end to end\n",
      report->fold_seconds, static_cast<unsigned long long>(report->rows_early),
      static_cast<unsigned long long>(report->withdrawn), report->write_seconds,
      report->statistics_seconds, total > 0 ? static_cast<double>(report->records) / total : 0.0);
  if (!report->statistics_error.empty()) {
    std::printf("  planner statistics not refreshed (%s); autovacuum will analyze the table\n",
                report->statistics_error.c_str());
  }
  if (report->skipped > 0) {
    std::printf(
        "  %llu records could not be decoded and were skipped (see ledger-audit log --kind "
        "malformed)\n",
        static_cast<unsigned long long>(report->skipped));
  }
  return 0;
}

int RunCheck(const std::string& ledger_dir, const std::string& dsn) {
  auto opened = OpenBoth(ledger_dir, dsn);
  if (!opened.ok()) {
    std::fprintf(stderr, "ledger-replay check: %s\n", opened.status().message().c_str());
    return kExitError;
  }
  // A daemon that appends and projects meanwhile can move the table past
  // the ledger as opened (kAborted): open the ledger again, a few times.
  Result<replay::CheckReport> report = Internal("not run");
  for (int attempt = 1;; ++attempt) {
    const EventLog& log = *opened->log;
    cli::ProgressBar bar("folding", log.Head().seq.value, "records");
    report = replay::Check(log, *opened->pg, [&](Seq reached, Seq) { bar.Update(reached.value); });
    bar.Finish();
    if (report.ok() || report.status().code() != Code::kAborted || attempt == 5) break;
    store::RocksOptions ro;
    ro.mode = store::OpenMode::kReadOnly;
    opened->log.reset();
    auto reopened = store::RocksEventLog::Open(ledger_dir, ro);
    if (!reopened.ok()) {
      std::fprintf(stderr, "ledger-replay check: %s\n", reopened.status().message().c_str());
      return kExitError;
    }
    opened->log = std::move(reopened.value());
  }
  if (!report.ok()) {
    std::fprintf(stderr, "ledger-replay check: %s\n", report.status().ToString().c_str());
    return kExitError;
  }
  const EventLog& log = *opened->log;
  for (const auto& d : report->differences) std::printf("%s\n", d.c_str());
  std::printf(
      "check node %s at checkpoint seq %llu: %llu rows from the ledger, %llu in the table, %zu "
      "differences\n",
      log.Info().node.c_str(), static_cast<unsigned long long>(report->checkpoint.value),
      static_cast<unsigned long long>(report->ledger_rows),
      static_cast<unsigned long long>(report->table_rows), report->differences.size());
  return report->differences.empty() ? 0 : 1;
}

int RunProject(const std::string& ledger_dir, const std::string& dsn, std::size_t batch) {
  auto opened = OpenBoth(ledger_dir, dsn);
  if (!opened.ok()) {
    std::fprintf(stderr, "ledger-replay project: %s\n", opened.status().message().c_str());
    return kExitError;
  }
  projection::ProjectionRunner runner(*opened->log, *opened->pg, {batch});
  auto applied = runner.CatchUp();
  if (!applied.ok()) {
    std::fprintf(stderr, "ledger-replay project: %s\n", applied.status().ToString().c_str());
    return kExitError;
  }
  std::printf("projected %llu records in %llu transactions; checkpoint seq %llu\n",
              static_cast<unsigned long long>(*applied),
              static_cast<unsigned long long>(runner.stats().batches),
              static_cast<unsigned long long>(runner.checkpoint().value));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "ledger-replay: import captured ARI traffic into a call-ledger ledger, rebuild "
      "and check projections"};
  app.require_subcommand(1);

  std::string file, ledger_dir, node;
  int sync_interval_ms = 5;
  std::size_t max_frame_bytes = 1 << 20;
  auto* import = app.add_subcommand(
      "import",
      "Append every line of a JSON-lines capture to a ledger (one record per frame; "
      "unparseable frames are kept as 'malformed' records)");
  import
      ->add_option("FILE", file,
                   "Captured frames, one per line (.jsonl), and daemon record lines "
                   "(ledger-audit export --all-kinds)")
      ->required();
  import->add_option("--ledger", ledger_dir, "Ledger directory (created if missing)")->required();
  import->add_option("--node", node,
                     "Node name for a new ledger (default: this host's name); must match an "
                     "existing ledger's node");
  import
      ->add_option("--sync-interval-ms", sync_interval_ms,
                   "fsync the WAL at most this many ms after an append (0 = every batch)")
      ->capture_default_str();
  import
      ->add_option("--max-frame-bytes", max_frame_bytes,
                   "Frames larger than this are kept as malformed")
      ->capture_default_str();

  FixtureArgs fixture_args;
  auto* fixture = app.add_subcommand(
      "fixture",
      "Run a captured stream through the parser and projector in memory and print the "
      "call-log rows (no PostgreSQL needed)");
  fixture->footer(kFixtureFooter);
  fixture
      ->add_option("FILE", fixture_args.file,
                   "Captured frames, one per line (.jsonl), and daemon record lines "
                   "(ledger-audit export --all-kinds)")
      ->required();
  auto* expect_option = fixture->add_option(
      "--expect", fixture_args.expect,
      "Expected rows (JSON as printed by --format json): exit 1 with a diff if they differ");
  auto* format_option = fixture->add_option("--format", fixture_args.format, "Output format")
                            ->check(CLI::IsMember({"json", "csv", "table"}))
                            ->capture_default_str();
  fixture->add_option(
      "--option", fixture_args.option_args,
      "Projector option KEY=VALUE (call_app, recordings_dir), recorded as a note record");
  fixture->add_option("--node", fixture_args.node, "Node name in the rows (default: fixture)");
  fixture
      ->add_flag("--update", fixture_args.update,
                 "With --expect: write the rows into that file instead of comparing, print what "
                 "changed, exit 0 (review the change before committing it)")
      ->needs(expect_option);
  fixture
      ->add_option("--drop-at", fixture_args.drop_at,
                   "Simulate the daemon's run with ari-sim cutting the connection after frame N "
                   "(repeatable, increasing; see below)")
      ->type_name("N")
      ->allow_extra_args(false);
  fixture
      ->add_option("--gap", fixture_args.gaps,
                   "then frames N+1..N+M are never sent (one per --drop-at; none: gaps of 0)")
      ->type_name("M")
      ->allow_extra_args(false);
  fixture
      ->add_option("--cel", fixture_args.cel_file,
                   "The capture's CEL log (fixtures/asterisk-cel/*.cel.jsonl): simulate the "
                   "daemon's run with cel.file, adding the cel records of every gap's window")
      ->type_name("FILE");
  fixture
      ->add_option("--asterisk-info", fixture_args.info_file,
                   "With --drop-at or --cel: the body of GET /ari/asterisk/info the simulated "
                   "gaps carry (default: none)")
      ->type_name("FILE");
  auto* records_flag = fixture->add_flag(
      "--records", fixture_args.records,
      "Print the records the run appended instead of rows, as ledger-audit export --all-kinds "
      "writes them (frames and daemon record lines, in order)");
  records_flag->excludes(expect_option);
  records_flag->excludes(format_option);

  std::string pg_dsn;
  auto* rebuild = app.add_subcommand(
      "rebuild",
      "Fold the whole ledger and replace the node's call-log rows in PostgreSQL in one step "
      "(readers see the old table or the new one, never a mix)");
  rebuild->add_option("--ledger", ledger_dir, "Ledger directory")->required();
  rebuild->add_option("--pg", pg_dsn, "PostgreSQL connection string or URI")
      ->required()
      ->envname("DATABASE_URL");
  std::uint64_t settle_after = replay::RebuildOptions{}.settle_after_records;
  rebuild
      ->add_option(
          "--early-after", settle_after,
          "Write a finished call's row while the fold goes on once this many records passed "
          "without changing it (rows that change later are withdrawn and written again)")
      ->capture_default_str();
  auto* check = app.add_subcommand(
      "check",
      "Compare the live call-log table with a fold of the ledger up to the table's checkpoint; "
      "exit 1 and list every difference if they differ");
  check->add_option("--ledger", ledger_dir, "Ledger directory")->required();
  check->add_option("--pg", pg_dsn, "PostgreSQL connection string or URI")
      ->required()
      ->envname("DATABASE_URL");
  std::size_t project_batch = 1000;
  auto* project = app.add_subcommand(
      "project",
      "Bring the call-log table up to the ledger's head with the live runner (what the daemon "
      "does continuously), exactly once");
  project->add_option("--ledger", ledger_dir, "Ledger directory")->required();
  project->add_option("--pg", pg_dsn, "PostgreSQL connection string or URI")
      ->required()
      ->envname("DATABASE_URL");
  project->add_option("--batch", project_batch, "Records per transaction")->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (rebuild->parsed()) return RunRebuild(ledger_dir, pg_dsn, settle_after);
  if (check->parsed()) return RunCheck(ledger_dir, pg_dsn);
  if (project->parsed()) return RunProject(ledger_dir, pg_dsn, project_batch);
  if (fixture->parsed()) return RunFixtureCmd(fixture_args);
  if (import->parsed()) {
    std::string effective_node = node;
    // A new ledger gets this host's name; an existing one keeps its own.
    if (effective_node.empty() &&
        !std::filesystem::exists(std::filesystem::path(ledger_dir) / "CURRENT")) {
      effective_node = callledger::cli::HostName();
    }
    return RunImport(file, ledger_dir, effective_node, sync_interval_ms, max_frame_bytes);
  }
  return kExitError;
}
