// Healing runs for the end-to-end tests of issue 12: captures of
// fixtures/asterisk-cel played by a real ari-sim as a PBX plays its calls,
// cut where fixtures/expected/cuts/CUTS says, with Asterisk's CEL lines
// written to a file as their time comes; a real call-ledgerd with CEL_FILE
// recording them into a real PostgreSQL; and the rows read back on the
// captures' own clock, to compare with the uncut rows
// (replay/row_agreement.h).
//
// The settings, and why:
//   - ari-sim --realtime at recorded speed, --restamp: the daemon takes a
//     gap's CEL window on its own clock (from cel.margin_ms before the
//     disconnect to the reconcile), as on a PBX, where ARI's timestamps,
//     CEL's eventtimes and the daemon's clock are one clock. The captures
//     are hours or years old, further back than cel.margin_ms may reach
//     (ten minutes at most), so ari-sim moves each capture to the moment it
//     plays (whole milliseconds), and only at recorded speed does every
//     stamp stay on the clock. Rows are moved back by the same shift before
//     they are compared. Speeding up would move the stamps off the clock
//     (the windows would miss the lines), so several captures share a run
//     instead, and the tests run in parallel.
//   - ari-sim --lead-in-ms 500: after each subscription the next frames wait
//     half a second, time for the daemon's REST snapshot, so the reconcile
//     lands before them (as `ledger-replay fixture` assumes) even on a busy
//     machine.
//   - the daemon's reconnect backoff 20..100 ms: after a cut ari-sim's PBX
//     is away (503) until the gap has happened and the next frame is a
//     lead-in away; the daemon is back within 100 ms of that, inside the
//     lead-in, so it misses the cut's frames. When the frames after a gap
//     follow its last one within those 100 ms (a call's housekeeping after
//     its end), the daemon misses some of them too, as it would on a PBX:
//     the rows must agree all the same (HiddenFrameNumbers says which).
//   - cel.settle_ms 1000: every CEL line stamped before the reconcile is in
//     the file within the lead-in (ari-sim writes a line once the frames
//     before it are out), so a second is enough and keeps the end of a run
//     short when no later line comes; cel.margin_ms is the default, 5000.
//
// Threading: one test thread. Catch2 assertions: use from a test.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/call_row.h"
#include "core/record.h"
#include "replay/cuts.h"
#include "replay/row_agreement.h"
#include "support/pg_test_db.h"
#include "support/processes.h"
#include "support/temp_dir.h"

namespace callledger::testing {

inline constexpr int kHealLeadInMs = 500;

// One capture of a run's stream, with its cuts numbered in its own frames.
struct HealCapture {
  std::filesystem::path stream;
  std::filesystem::path cel;  // its CEL lines; empty: none
  std::vector<replay::Cut> cuts;
};

struct HealRunOptions {
  std::string node;
  std::vector<HealCapture> captures;  // played one after another, as one stream
  bool cel_file = true;               // CEL_FILE set (to ari-sim's --cel-out)
  std::vector<std::string> sim_args;  // more ari-sim arguments
  // Called with the CEL log's path before ari-sim and the daemon start (to
  // write lines of the test's own there).
  std::function<void(const std::filesystem::path&)> prepare_cel;
};

// fixtures/asterisk-cel/NAME
std::filesystem::path CelFixture(const std::string& name);
// The frames (non-empty lines) of a capture.
std::vector<std::string> CaptureFrames(const std::filesystem::path& stream);
// A capture's uncut rows: fixtures/expected/cel/<name>.rows.json, with
// `node` for the golden files' "fixture".
std::vector<replay::RowText> UncutRows(const std::filesystem::path& stream,
                                       const std::string& node);
// Counts the lines of `file` holding `text`.
int CountInLog(const std::filesystem::path& file, const std::string& text);

class HealRun {
 public:
  // Starts ari-sim and the daemon (the daemon's first connection starts
  // the stream's clock).
  HealRun(const TestDatabase& db, HealRunOptions options);
  ~HealRun();

  const TempDir& dir() const { return *dir_; }
  std::filesystem::path cel_path() const { return *dir_ / "cel.jsonl"; }
  std::filesystem::path sim_log() const { return *dir_ / "sim.err"; }
  // The current (latest) daemon's log.
  std::filesystem::path daemon_log() const;
  std::string daemon_http() const { return http_; }
  const HealRunOptions& options() const { return options_; }

  // SIGKILL, then a new daemon on the same ledger and database.
  void KillDaemon();
  void StartDaemon();

  // Waits until ari-sim's stream has ended with every CEL line written, the
  // daemon has recorded every connection's CEL window and PostgreSQL has
  // caught up with the ledger; then stops the daemon (SIGTERM, exit 0) and
  // checks that the table holds the whole ledger.
  void Settle();

  // After Settle(): the node's rows as PostgreSQL holds them.
  std::vector<CallRow> StoredRows() const;
  // After Settle(): the node's rows, each moved back by its capture's
  // shift, so that they are on the capture's clock.
  std::vector<CallRow> Rows() const;
  // After Settle(): every record, read once `ledger-audit verify` passed.
  const std::vector<Record>& Records() const { return records_; }
  // After Settle(): the numbers of each capture's frames the ledger does
  // not hold (the ledger's frames, restamped back, matched in order against
  // the captures: a capture may hold the same frame twice).
  std::vector<std::set<std::uint64_t>> HiddenFrameNumbers() const;
  // Those frames, the capture's own bytes, in order.
  std::vector<std::string> HiddenFrames() const;
  // Each capture's shift (ari-sim's log), µs.
  const std::vector<std::int64_t>& shifts() const { return shifts_; }

 private:
  std::vector<std::string> SimArgs() const;
  std::size_t CaptureOf(const CallRow& row) const;

  const TestDatabase& db_;
  HealRunOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Child> sim_;
  std::unique_ptr<Child> daemon_;
  int daemons_ = 0;
  std::string address_;
  std::string http_;
  std::vector<std::vector<std::string>> frames_;  // per capture
  std::vector<std::int64_t> shifts_;
  std::vector<Record> records_;
};

// The rows a fold of `records` gives (as `ledger-replay rebuild` would).
std::vector<CallRow> FoldRecords(const std::vector<Record>& records, const std::string& node);

// The agreement of a settled run with `uncut` (rows on the captures'
// clock), with the ARI recordings whose start the run did not record
// allowed to be NULL: one line per disagreement (replay::CompareRows).
std::vector<std::string> Disagreements(const HealRun& run,
                                       const std::vector<replay::RowText>& uncut);

}  // namespace callledger::testing
