#include "cel/cel_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "cel/cel_lines.h"
#include "payload/cel_event.h"

namespace callledger::cel {
namespace {

using detail::LineReader;
using detail::RawLine;

// The binary search stops once the range is this small and scans from its
// start; a probe looks this far for a line with a time.
constexpr std::uint64_t kSearchBlockBytes = 64 * 1024;
constexpr std::uint64_t kProbeBytes = 256 * 1024;
// The tail is looked for in the last bytes of the file.
constexpr std::uint64_t kTailBytes = 256 * 1024;

// A line read for its time: a CEL line has one; why not, otherwise.
struct Reading {
  std::optional<std::int64_t> time_us;
  std::string why_not;  // set when the line is not a CEL line
};

Reading Read(payload::CelLineDecoder& decoder, const RawLine& line, std::size_t max_line_bytes) {
  if (line.size > max_line_bytes) {
    return {std::nullopt, "longer than " + std::to_string(max_line_bytes) + " bytes (" +
                              std::to_string(line.size) + "); its first " +
                              std::to_string(max_line_bytes) + " bytes are kept"};
  }
  Result<payload::CelEvent> event = decoder.Decode(line.bytes);
  if (!event.ok()) return {std::nullopt, event.status().message()};
  if (!event->eventtime_us) return {std::nullopt, "no eventtime \"<seconds>.<microseconds>\""};
  return {event->eventtime_us, ""};
}

}  // namespace

Result<CelFile> CelFile::Open(const std::filesystem::path& path, const CelScanOptions& options) {
  // O_NONBLOCK: a FIFO at the path must not hang the open (it is refused
  // below); reads of a regular file ignore the flag.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    const std::string why = path.string() + ": " + std::strerror(err);
    if (err == ENOENT || err == ENOTDIR) return NotFound(why);
    if (err == EACCES || err == EPERM) return FailedPrecondition(why);
    return Unavailable(why);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return FailedPrecondition(path.string() + " is not a regular file");
  }
  CelFileIdentity identity{static_cast<std::uint64_t>(st.st_dev),
                           static_cast<std::uint64_t>(st.st_ino),
                           static_cast<std::uint64_t>(st.st_size)};
  return CelFile(fd, identity, options);
}

CelFile::CelFile(CelFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), identity_(other.identity_), options_(other.options_) {}

CelFile& CelFile::operator=(CelFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    identity_ = other.identity_;
    options_ = other.options_;
  }
  return *this;
}

CelFile::~CelFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::uint64_t> CelFile::LineStartAtOrAfter(std::uint64_t offset) {
  if (offset == 0) return std::uint64_t{0};
  // The line holding the byte before `offset` ends at the first line feed
  // from there on; the next line starts after it.
  LineReader reader(fd_, offset - 1, identity_.size, 0);
  ASSIGN_OR_RETURN(const auto line, reader.Next());
  if (!line) return identity_.size;  // no line starts after `offset`
  return line->offset + line->size + 1;
}

Result<std::optional<std::int64_t>> CelFile::ProbeTime(std::uint64_t from, std::uint64_t to) {
  ASSIGN_OR_RETURN(const std::uint64_t start, LineStartAtOrAfter(from));
  LineReader reader(fd_, start, identity_.size, options_.max_line_bytes);
  payload::CelLineDecoder decoder;
  while (true) {
    ASSIGN_OR_RETURN(const auto line, reader.Next());
    if (!line || line->offset >= to || line->offset - start > kProbeBytes) break;
    const Reading r = Read(decoder, *line, options_.max_line_bytes);
    if (r.time_us) return r.time_us;
  }
  return std::optional<std::int64_t>();
}

Result<std::uint64_t> CelFile::Seek(std::int64_t target_us) {
  // Invariant: the lines beginning before `lo` are earlier than the target
  // (as far as the file is in order); a line beginning in [hi, size) may
  // not be. A probe that finds no time searches to its left, which only
  // makes the scan longer.
  std::uint64_t lo = 0, hi = identity_.size;
  while (hi - lo > kSearchBlockBytes) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    ASSIGN_OR_RETURN(const auto t, ProbeTime(mid, hi));
    if (t && *t < target_us) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return LineStartAtOrAfter(lo);
}

Result<std::optional<std::int64_t>> CelFile::FirstEventTime() {
  return ProbeTime(0, identity_.size);
}

Result<CelFileTail> CelFile::Tail() {
  CelFileTail tail;
  const std::uint64_t from = identity_.size > kTailBytes ? identity_.size - kTailBytes : 0;
  ASSIGN_OR_RETURN(const std::uint64_t start, LineStartAtOrAfter(from));
  LineReader reader(fd_, start, identity_.size, options_.max_line_bytes);
  payload::CelLineDecoder decoder;
  while (true) {
    ASSIGN_OR_RETURN(const auto line, reader.Next());
    if (!line) break;
    const Reading r = Read(decoder, *line, options_.max_line_bytes);
    if (r.time_us) tail.last_time_us = r.time_us;
  }
  tail.unterminated_bytes = reader.unterminated_bytes();
  tail.ends_with_line_feed = tail.unterminated_bytes == 0;
  return tail;
}

Status CelFile::ScanWindow(std::int64_t since_us, std::int64_t until_us,
                           const CelWindowVisitor& visit, CelScanSummary* summary) {
  *summary = CelScanSummary();
  ASSIGN_OR_RETURN(const std::uint64_t start, Seek(since_us - options_.disorder_us));
  LineReader reader(fd_, start, identity_.size, options_.max_line_bytes);
  payload::CelLineDecoder decoder;
  // Lines without a time wait here until the next line with one says
  // whether they lie next to the window.
  std::vector<payload::CelBadLine> pending;
  bool previous_in_window = false;
  auto flush = [&]() -> bool {
    for (auto& bad : pending) {
      ++summary->bad_lines;
      if (!visit.bad_line(std::move(bad))) return false;
    }
    pending.clear();
    return true;
  };
  while (true) {
    ASSIGN_OR_RETURN(const auto line, reader.Next());
    if (!line) {
      summary->unterminated_bytes = reader.unterminated_bytes();
      break;
    }
    const Reading r = Read(decoder, *line, options_.max_line_bytes);
    if (!r.time_us) {
      if (pending.size() == options_.max_bad_lines_in_a_row) {
        summary->stopped_on_bad_lines = true;
        break;
      }
      pending.push_back(payload::CelBadLine{line->offset, r.why_not, std::string(line->bytes)});
      continue;
    }
    const bool in_window = *r.time_us >= since_us && *r.time_us <= until_us;
    if (in_window || previous_in_window) {
      if (!flush()) {
        summary->stopped_by_visitor = true;
        return Status::Ok();
      }
    } else {
      pending.clear();
    }
    if (in_window) {
      // A line with a time was read as a JSON object: it is JSON.
      ASSIGN_OR_RETURN(payload::JsonText json,
                       payload::JsonText::Verbatim(std::string(line->bytes)));
      ++summary->lines;
      if (!visit.line(std::move(json))) {
        summary->stopped_by_visitor = true;
        return Status::Ok();
      }
    }
    previous_in_window = in_window;
    if (*r.time_us > until_us + options_.disorder_us) break;
  }
  if (previous_in_window && !flush()) summary->stopped_by_visitor = true;
  return Status::Ok();
}

}  // namespace callledger::cel
