#include "cel/cel_lines.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace callledger::cel::detail {
namespace {
// Large enough that a window of a few seconds is one or two reads.
constexpr std::size_t kBlockBytes = 256 * 1024;
}  // namespace

LineReader::LineReader(int fd, std::uint64_t begin, std::uint64_t end, std::size_t max_line_bytes)
    : fd_(fd), end_(end), max_line_bytes_(max_line_bytes), block_offset_(begin) {}

Result<bool> LineReader::Refill() {
  block_offset_ += block_.size();
  index_ = 0;
  block_.clear();
  if (block_offset_ >= end_) return false;
  block_.resize(
      static_cast<std::size_t>(std::min<std::uint64_t>(kBlockBytes, end_ - block_offset_)));
  std::size_t got = 0;
  while (got < block_.size()) {
    const ssize_t n = ::pread(fd_, block_.data() + got, block_.size() - got,
                              static_cast<off_t>(block_offset_ + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      block_.resize(got);
      return Unavailable("reading at offset " + std::to_string(block_offset_ + got) + ": " +
                         std::strerror(errno));
    }
    if (n == 0) break;  // the file shrank under us: what is there is all
    got += static_cast<std::size_t>(n);
  }
  block_.resize(got);
  if (got == 0) {
    end_ = block_offset_;
    return false;
  }
  return true;
}

Result<std::optional<RawLine>> LineReader::Next() {
  RawLine line;
  line.offset = block_offset_ + index_;
  line_.clear();
  while (true) {
    if (index_ == block_.size()) {
      ASSIGN_OR_RETURN(const bool more, Refill());
      if (!more) {
        unterminated_ = line.size;
        return std::optional<RawLine>();
      }
    }
    const char* begin = block_.data() + index_;
    const std::size_t left = block_.size() - index_;
    const void* feed = std::memchr(begin, '\n', left);
    const std::size_t take =
        feed == nullptr ? left : static_cast<std::size_t>(static_cast<const char*>(feed) - begin);
    if (line_.size() < max_line_bytes_) {
      line_.append(begin, std::min(take, max_line_bytes_ - line_.size()));
    }
    line.size += take;
    index_ += take;
    if (feed != nullptr) {
      ++index_;  // the line feed
      line.bytes = line_;
      return std::optional<RawLine>(line);
    }
  }
}

}  // namespace callledger::cel::detail
