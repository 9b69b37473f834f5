// ledger-replay: rebuild and regression tools over the ledger.
// This main only parses arguments and calls library code (src/replay);
// `fixture`'s arguments are in fixture_cmd.h.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "common/progress.h"
#include "fixture_cmd.h"
#include "pg/pg_call_log_store.h"
#include "projection/runner.h"
#include "replay/import.h"
#include "replay/rebuild.h"
#include "store/rocks_event_log.h"

namespace {

using namespace callledger;

constexpr int kExitError = 2;

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

  cli::FixtureArgs fixture_args;
  auto* fixture = cli::AddFixtureCommand(app, fixture_args);

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
  if (fixture->parsed()) return cli::RunFixtureCmd(fixture_args);
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
