// RocksDB's own diagnostic log (the LOG file in the ledger's directory),
// written so that a full disk cannot end the process.
//
// Debian's RocksDB 7.8 is built with assertions, and its file logger aborts
// the process on the first line it writes after a write to LOG failed. On a
// full disk that is the line after the one reporting the failed append. This
// logger writes LOG with plain write(2) calls and drops what the disk
// refuses; past kMaxBytes it moves LOG to LOG.old and starts again, so it
// stays bounded (as keep_log_file_num and max_log_file_size kept RocksDB's).
//
// Thread-safe: RocksDB logs from all its threads.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

#include <rocksdb/env.h>

namespace callledger::store {

class RocksInfoLog final : public rocksdb::Logger {
 public:
  static constexpr std::uint64_t kMaxBytes = 8 << 20;

  // Appends to `dir`/LOG (created if missing). A LOG that cannot be opened
  // leaves the logger dropping every line.
  explicit RocksInfoLog(const std::filesystem::path& dir);
  ~RocksInfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  size_t GetLogFileSize() const override;

 private:
  void OpenLocked();

  std::filesystem::path path_;
  mutable std::mutex mu_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace callledger::store
