#include "common/progress.h"

#include <unistd.h>

#include <cstdio>

#include "core/utc_time.h"

namespace callledger::cli {
namespace {

std::string Human(double v) {
  char buf[32];
  if (v >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2fG", v / 1e9);
  else if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else if (v >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, std::uint64_t total, std::string unit)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(std::uint64_t done, std::uint64_t items) {
  const auto now = std::chrono::steady_clock::now();
  const auto min_gap = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  if (now - last_ < min_gap && done < total_) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double frac = total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  const double eta = rate > 0 && total_ > done ? static_cast<double>(total_ - done) / rate : 0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(frac * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  char line[256];
  std::snprintf(line, sizeof line, "%s [%s] %5.1f%%  %s %s/s", label_.c_str(), bar.c_str(),
                frac * 100, Human(rate).c_str(), unit_.c_str());
  std::string text = line;
  if (items > 0 && secs > 0) text += "  " + Human(static_cast<double>(items) / secs) + " records/s";
  if (eta > 0) {
    std::snprintf(line, sizeof line, "  ETA %.0fs", eta);
    text += line;
  }
  std::fprintf(stderr, tty_ ? "\r%s\033[K" : "%s\n", text.c_str());
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (drawn_ && tty_) std::fputc('\n', stderr);
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

bool ParseTimeArg(const std::string& text, std::int64_t* utc_us) {
  if (auto t = ParseIsoTimestamp(text)) {
    *utc_us = *t;
    return true;
  }
  if (text.size() == 10) {
    if (auto t = ParseIsoTimestamp(text + "T00:00:00Z")) {
      *utc_us = *t;
      return true;
    }
  }
  return false;
}

}  // namespace callledger::cli
