// ledger-replay: rebuild and regression tools over the ledger.
// This main only parses arguments and calls library code (src/replay).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "common/progress.h"
#include "replay/import.h"
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ledger-replay: import captured ARI traffic into a call-ledger ledger, rebuild "
               "and check projections"};
  app.require_subcommand(1);

  std::string file, ledger_dir, node;
  int sync_interval_ms = 5;
  std::size_t max_frame_bytes = 1 << 20;
  auto* import = app.add_subcommand(
      "import", "Append every line of a JSON-lines capture to a ledger (one record per frame; "
                "unparseable frames are kept as 'malformed' records)");
  import->add_option("FILE", file, "Captured frames, one per line (.jsonl)")->required();
  import->add_option("--ledger", ledger_dir, "Ledger directory (created if missing)")->required();
  import->add_option("--node", node,
                     "Node name for a new ledger (default: this host's name); must match an "
                     "existing ledger's node");
  import->add_option("--sync-interval-ms", sync_interval_ms,
                     "fsync the WAL at most this many ms after an append (0 = every batch)")
      ->capture_default_str();
  import->add_option("--max-frame-bytes", max_frame_bytes,
                     "Frames larger than this are kept as malformed")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
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
