#include "daemon/cel_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "cel/cel_window.h"
#include "cel/window_range.h"
#include "core/utc_time.h"
#include "payload/cel.h"

namespace callledger::daemon {
namespace {

std::int64_t WallClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Joined(const std::vector<std::string>& notes) {
  std::string out;
  for (const auto& n : notes) out += (out.empty() ? "" : "; ") + n;
  return out;
}

}  // namespace

CelCollector::CelCollector(CelRecordSink sink, CelCollectorOptions options)
    : sink_(std::move(sink)), options_(std::move(options)) {
  if (!options_.clock) options_.clock = WallClockMicros;
  if (options_.metrics != nullptr) {
    MetricsRegistry& m = *options_.metrics;
    lines_metric_ = &m.GetCounter("call_ledger_cel_lines_total",
                                  "CEL lines recorded in cel records (gap windows).");
    bad_lines_metric_ = &m.GetCounter(
        "call_ledger_cel_bad_lines_total",
        "Lines of the CEL file in gap windows that are not CEL lines (kept as bad_lines).");
    records_metric_ = &m.GetCounter("call_ledger_cel_records_total", "cel records appended.");
    read_errors_metric_ = &m.GetCounter(
        "call_ledger_cel_read_errors_total",
        "CEL files that could not be opened or read for a gap window (the record says so).");
  }
}

CelCollector::~CelCollector() { Stop(); }

void CelCollector::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void CelCollector::Collect(cel::GapWindow window) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(window));
      cv_.notify_all();
      return;
    }
  }
  ++stats_.dropped_windows;
  spdlog::warn(
      "CEL: shutting down: the window {}..{} is not read (the next start reads from the last "
      "record heard from Asterisk)",
      FormatUtcMillis(window.since_us), FormatUtcMillis(window.until_us));
}

void CelCollector::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CelCollector::Loop() {
  while (true) {
    cel::GapWindow window;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      window = std::move(queue_.front());
      queue_.pop_front();
    }
    Read(window);
  }
}

void CelCollector::Settle(std::int64_t until_us, std::vector<std::string>& notes) {
  const auto deadline = std::chrono::steady_clock::now() + options_.settle;
  bool waited = false;
  while (true) {
    // A file that cannot be opened is not waited for: the read says why.
    Result<cel::CelFile> file = cel::CelFile::Open(options_.file, options_.scan);
    if (!file.ok()) return;
    Result<cel::CelFileTail> tail = file->Tail();
    if (!tail.ok()) return;
    if (tail->ends_with_line_feed && tail->last_time_us && *tail->last_time_us >= until_us) return;
    std::unique_lock lock(mu_);
    if (stopping_) {
      notes.push_back(
          "shutdown cut the wait for lines up to the window's end short: the file was read as it "
          "was then");
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      notes.push_back(cel::SettleRanOutNote(options_.settle, tail->last_time_us));
      return;
    }
    if (!waited) {
      waited = true;
      ++stats_.waits;
      spdlog::info("CEL: waiting up to {} ms for Asterisk to write the lines up to {}",
                   options_.settle.count(), FormatUtcMillis(until_us));
    }
    cv_.wait_until(lock, std::min(deadline, now + options_.poll), [&] { return stopping_; });
  }
}

void CelCollector::Read(const cel::GapWindow& window) {
  const cel::WindowRange read_range = cel::RangeToRead(window, options_.margin);
  const std::int64_t since_us = read_range.since_us;
  std::vector<std::string> notes{read_range.origin_note};
  Settle(window.until_us, notes);
  const std::int64_t read_at_us = options_.clock();
  const cel::CelWindowOptions read{options_.file, options_.max_record_bytes, options_.scan};
  const cel::CelWindowResult result =
      cel::ReadCelWindow(read, since_us, window.until_us, std::move(notes), &last_seen_,
                         [&](payload::CelPayload part) {
                           if (!sink_(payload::CelDraft(part, read_at_us))) return false;
                           ++stats_.records;
                           if (records_metric_) records_metric_->Add();
                           return true;
                         });
  ++stats_.windows;
  stats_.lines += result.lines;
  stats_.bad_lines += result.bad_lines;
  stats_.read_errors += result.read_errors;
  if (lines_metric_) lines_metric_->Add(result.lines);
  if (bad_lines_metric_) bad_lines_metric_->Add(result.bad_lines);
  if (read_errors_metric_) read_errors_metric_->Add(result.read_errors);

  const std::string range = FormatUtcMillis(since_us) + ".." + FormatUtcMillis(window.until_us);
  if (!result.handed_out) {
    ++stats_.dropped_windows;
    spdlog::error("CEL: the ledger is shutting down: the lines of {} for {} are not all recorded",
                  options_.file.string(), range);
    return;
  }
  const std::string said = Joined(result.notes);
  if (result.read_errors > 0) {
    spdlog::error("CEL: {} for {} could not be read whole ({} lines recorded): {}",
                  options_.file.string(), range, result.lines, said);
  } else if (result.bad_lines > 0) {
    spdlog::warn("CEL: recorded {} lines and {} bad lines of {} for {} in {} record(s): {}",
                 result.lines, result.bad_lines, options_.file.string(), range, result.records,
                 said);
  } else {
    spdlog::info("CEL: recorded {} lines of {} for {} in {} record(s): {}", result.lines,
                 options_.file.string(), range, result.records, said);
  }
}

}  // namespace callledger::daemon
