// Lines of a file between two byte offsets, read in large blocks with
// pread (no seek position is shared, so a file descriptor can serve several
// readers). Internal to cel/cel_file.cc.
//
// A line is the bytes up to a line feed; the bytes after the last line feed
// before `end` are not a line (Asterisk has not finished writing it), only
// counted. A line longer than `max_line_bytes` is handed out cut to that
// length, with its full size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace callledger::cel::detail {

struct RawLine {
  std::uint64_t offset = 0;  // where the line begins
  std::uint64_t size = 0;    // its length without the line feed
  std::string_view bytes;    // its first min(size, max_line_bytes) bytes
};

class LineReader {
 public:
  // Reads from `begin`, which must be the start of a line, up to `end`.
  LineReader(int fd, std::uint64_t begin, std::uint64_t end, std::size_t max_line_bytes);

  // The next line, nullopt at the end; the view is valid until the next
  // call. kUnavailable when a read fails.
  Result<std::optional<RawLine>> Next();
  // The bytes after the last line feed, once Next() gave nullopt.
  std::uint64_t unterminated_bytes() const { return unterminated_; }

 private:
  // Reads the next block; false at `end`.
  Result<bool> Refill();

  int fd_;
  std::uint64_t end_;
  std::size_t max_line_bytes_;
  std::string block_;
  std::uint64_t block_offset_;  // file offset of block_[0]
  std::size_t index_ = 0;       // next unread byte of block_
  std::string line_;
  std::uint64_t unterminated_ = 0;
};

}  // namespace callledger::cel::detail
