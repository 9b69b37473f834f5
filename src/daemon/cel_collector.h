// CelCollector: after every gap, Asterisk's CEL lines of the gap's window
// into the ledger, as `cel` records (payload/cel.h), on a thread of its own
// (issue 12).
//
// The ingest's appender thread hands it a window (Collect) once the record
// that closes the window (the reconcile) is appended; Collect never blocks.
// The collector's thread then
//   1. waits up to `settle` for Asterisk to write the window's lines: until
//      the file ends with a line feed and its last line is stamped at or
//      after the window's end (on a quiet PBX no such line may come; the
//      wait then ends at `settle` and a note says so);
//   2. reads the window, `margin` before its start to its end, from the file
//      (and its rotated predecessor; cel_window.h says what is read and
//      noted);
//   3. hands the records to `sink` (the ingest's evidence queue, which may
//      make it wait while earlier records are appended), so they follow the
//      reconcile in the ledger.
// The network thread and the appender thread never read the file or wait
// for it (DESIGN invariant 5). Only this thread reads the clock, for the
// wait and for received_at_us; the records carry what it saw.
//
// Stop() cuts a wait short (the window is read as the file is then, and a
// note says so), reads the windows still queued the same way, hands their
// records to the sink, and joins. Windows given after Stop() are logged and
// counted (dropped_windows), not read: the next run's first window begins
// at the last record heard from Asterisk, before them.
//
// Thread safety: Collect, Stop and stats() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "cel/cel_file.h"
#include "cel/gap_windows.h"
#include "cel/window_range.h"
#include "core/metrics.h"
#include "core/record.h"

namespace callledger::daemon {

struct CelCollectorOptions {
  std::filesystem::path file;  // cel.file: cel_custom's JSON lines
  // How far before the last record heard the window begins: events Asterisk
  // made before that record may reach the daemon after it (overload lags).
  std::chrono::milliseconds margin = cel::kDefaultMargin;
  // How long to wait for Asterisk to write the lines up to the window's end.
  std::chrono::milliseconds settle = cel::kDefaultSettle;
  // While waiting, how often the file is looked at.
  std::chrono::milliseconds poll{50};
  std::size_t max_record_bytes = 1 << 20;  // cel.max_record_bytes
  cel::CelScanOptions scan;
  // UTC µs for received_at_us (tests inject one).
  std::function<std::int64_t()> clock;
  // Lines, bad lines, records and read errors go here when set (not owned).
  MetricsRegistry* metrics = nullptr;
};

struct CelCollectorStats {
  std::atomic<std::uint64_t> windows{0};  // windows read
  std::atomic<std::uint64_t> records{0};  // cel records handed to the sink
  std::atomic<std::uint64_t> lines{0};
  std::atomic<std::uint64_t> bad_lines{0};
  std::atomic<std::uint64_t> read_errors{0};      // files that could not be opened or read
  std::atomic<std::uint64_t> waits{0};            // windows that waited for Asterisk's lines
  std::atomic<std::uint64_t> dropped_windows{0};  // given after Stop(), or refused by the sink
};

// Takes a finished record; false when it cannot any more (shutting down).
using CelRecordSink = std::function<bool(RecordDraft)>;

class CelCollector {
 public:
  CelCollector(CelRecordSink sink, CelCollectorOptions options);
  ~CelCollector();
  CelCollector(const CelCollector&) = delete;
  CelCollector& operator=(const CelCollector&) = delete;

  void Start();
  // Never blocks.
  void Collect(cel::GapWindow window);
  // See above. Idempotent.
  void Stop();

  const CelCollectorStats& stats() const { return stats_; }

 private:
  void Loop();
  void Read(const cel::GapWindow& window);
  // Waits until the file holds the window's end, or `settle` passes, or
  // Stop(); says in `notes` why it stopped waiting, if not because the
  // lines were there.
  void Settle(std::int64_t until_us, std::vector<std::string>& notes);

  CelRecordSink sink_;
  CelCollectorOptions options_;
  CelCollectorStats stats_;
  Counter* lines_metric_ = nullptr;
  Counter* bad_lines_metric_ = nullptr;
  Counter* records_metric_ = nullptr;
  Counter* read_errors_metric_ = nullptr;
  std::optional<cel::CelFileIdentity> last_seen_;  // this thread only

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<cel::GapWindow> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace callledger::daemon
