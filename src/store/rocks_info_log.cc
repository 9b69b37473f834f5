#include "store/rocks_info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace callledger::store {

RocksInfoLog::RocksInfoLog(const std::filesystem::path& dir)
    : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), path_(dir / "LOG") {
  std::lock_guard lock(mu_);
  OpenLocked();
}

RocksInfoLog::~RocksInfoLog() {
  if (fd_ >= 0) ::close(fd_);
}

void RocksInfoLog::OpenLocked() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  size_ = 0;
  struct stat st;
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0) size_ = static_cast<std::uint64_t>(st.st_size);
}

void RocksInfoLog::Logv(const char* format, va_list ap) {
  // "2026/12/07-18:31:56.123456 " and the message, as RocksDB writes them.
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm tm{};
  ::localtime_r(&seconds, &tm);
  char line[4096];
  int n = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06lld ",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                        tm.tm_sec, static_cast<long long>(micros));
  if (n < 0) return;
  va_list copy;
  va_copy(copy, ap);
  const int m = std::vsnprintf(line + n, sizeof line - n, format, copy);
  va_end(copy);
  if (m < 0) return;
  std::size_t length = std::min<std::size_t>(n + m, sizeof line - 2);
  if (line[length - 1] != '\n') line[length++] = '\n';

  std::lock_guard lock(mu_);
  if (size_ + length > kMaxBytes && fd_ >= 0) {
    ::close(fd_);
    std::error_code ec;  // a failed move leaves LOG to grow: it is only diagnostics
    std::filesystem::rename(path_, std::filesystem::path(path_) += ".old", ec);
    OpenLocked();
  }
  if (fd_ < 0) return;
  // A full disk refuses the line (or part of it): it is dropped, and the
  // next line tries again.
  const ssize_t written = ::write(fd_, line, length);
  if (written > 0) size_ += static_cast<std::uint64_t>(written);
}

size_t RocksInfoLog::GetLogFileSize() const {
  std::lock_guard lock(mu_);
  return size_;
}

}  // namespace callledger::store
