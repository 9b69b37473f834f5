// One CEL log file (cel_custom's JSON lines, docs/operations.md), read for a
// window of time without reading the whole file: Asterisk appends lines in
// nearly ascending eventtime (a few ms of disorder under load), so a binary
// search on byte offsets finds where a window begins, and a forward scan
// from there stops soon after it ends. A file of 1 GB is read in a few
// dozen small reads plus the window itself.
//
// A CelFile is a snapshot: its size is taken when it is opened, and bytes
// appended later are not read (open it again to see them). Bytes after the
// last line feed are a line Asterisk has not finished writing: never read as
// a line, only counted (CelScanSummary::unterminated_bytes).
//
// Errors: kNotFound (no file at the path), kFailedPrecondition (not a
// regular file, or no permission: a person must act), kUnavailable (a read
// failed). Not thread-safe; one CelFile per reader.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"
#include "payload/cel.h"
#include "payload/json_text.h"

namespace callledger::cel {

// Which file a path named, and how long it was: a different inode, or a
// smaller size, at the same path means the log was rotated.
struct CelFileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;

  bool SameFile(const CelFileIdentity& other) const {
    return device == other.device && inode == other.inode;
  }
};

struct CelScanOptions {
  // How far out of order lines may be (the fixtures show 14 ms at most
  // under overload): the search starts this much before the window and the
  // scan goes this much past its end.
  std::int64_t disorder_us = 1'000'000;
  // A longer line is kept as a bad line holding its first max_line_bytes
  // (CEL lines are well under 1 KiB).
  std::size_t max_line_bytes = 16 * 1024;
  // The scan stops after this many lines in a row that are not CEL lines
  // (a file that is not a CEL log must not be recorded whole).
  std::size_t max_bad_lines_in_a_row = 1000;
};

struct CelScanSummary {
  std::uint64_t lines = 0;               // lines given to the visitor
  std::uint64_t bad_lines = 0;           // bad lines given to the visitor
  std::uint64_t unterminated_bytes = 0;  // after the last line feed, left unread
  bool stopped_on_bad_lines = false;     // max_bad_lines_in_a_row was reached
  bool stopped_by_visitor = false;
};

// What ScanWindow hands out, in file order. Returning false stops the scan.
struct CelWindowVisitor {
  std::function<bool(payload::JsonText line)> line;
  std::function<bool(payload::CelBadLine bad)> bad_line;
};

// The end of the file: whether it ends with a line feed (an empty file
// does), and the eventtime of its last complete line that has one.
struct CelFileTail {
  bool ends_with_line_feed = true;
  std::uint64_t unterminated_bytes = 0;
  std::optional<std::int64_t> last_time_us;
};

class CelFile {
 public:
  static Result<CelFile> Open(const std::filesystem::path& path,
                              const CelScanOptions& options = {});
  CelFile(CelFile&& other) noexcept;
  CelFile& operator=(CelFile&& other) noexcept;
  CelFile(const CelFile&) = delete;
  CelFile& operator=(const CelFile&) = delete;
  ~CelFile();

  const CelFileIdentity& identity() const { return identity_; }

  // The eventtime of the first line that has one (among the first lines
  // of the file); nullopt for an empty file or one that begins otherwise.
  Result<std::optional<std::int64_t>> FirstEventTime();
  Result<CelFileTail> Tail();

  // Visits, in file order, every complete line whose eventtime lies in
  // [since_us, until_us], and every line that is not a CEL line (not JSON,
  // not an object, no readable eventtime, too long) lying next to one of
  // them: between the line before it that has a time and the line after
  // it, one of those two must be in the window. Each line is one visit,
  // its bytes as they are in the file, without the line feed.
  Status ScanWindow(std::int64_t since_us, std::int64_t until_us, const CelWindowVisitor& visit,
                    CelScanSummary* summary);

 private:
  CelFile(int fd, CelFileIdentity identity, CelScanOptions options)
      : fd_(fd), identity_(identity), options_(options) {}
  // The first byte of the first line that begins at or after `offset`.
  Result<std::uint64_t> LineStartAtOrAfter(std::uint64_t offset);
  // The eventtime of the first line with one that begins in [from, to).
  Result<std::optional<std::int64_t>> ProbeTime(std::uint64_t from, std::uint64_t to);
  // Where the scan for lines at or after `target_us` begins.
  Result<std::uint64_t> Seek(std::int64_t target_us);

  int fd_ = -1;
  CelFileIdentity identity_;
  CelScanOptions options_;
};

}  // namespace callledger::cel
