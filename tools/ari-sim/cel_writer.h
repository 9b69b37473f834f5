// Appends CEL lines to a file the way Asterisk's cel_custom does: each line
// is opened for, appended with its "\n" in one write, and closed, so a
// reader tailing the file sees whole lines as soon as they are written, and
// a file renamed or removed meanwhile is created anew by the next line.
//
// Rotation, to test readers against it: after the N-th line appended (N in
// `rotate_after`, counting only the lines this writer appended), the file is
// renamed to PATH.1 (replacing an older PATH.1, as a logrotate that keeps
// one file would) and a new empty PATH is created.
//
// Errors: a line that cannot be appended is lost (as it would be on a full
// disk of a PBX) and Append says why; the next line is tried all the same.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ari-sim/cel_lines.h"
#include "core/status.h"

namespace callledger::arisim {

struct CelWriterOptions {
  std::string path;
  std::vector<std::uint64_t> rotate_after;  // line counts, increasing, each >= 1
};

// kInvalidInput unless every count is >= 1 and larger than the one before.
Status ValidateRotation(const std::vector<std::uint64_t>& rotate_after);

class CelWriter {
 public:
  // Creates the file if absent (an existing one is appended to, never
  // truncated). kInvalidInput when it cannot be opened for appending, or
  // the rotation is invalid.
  static Result<CelWriter> Open(CelWriterOptions options);

  // Appends `line` and "\n", then rotates if this was a rotation's line.
  // kUnavailable when the line could not be written (it is lost) or the
  // rotation failed.
  [[nodiscard]] Status Append(std::string_view line);

  const std::string& path() const { return options_.path; }
  std::uint64_t lines_appended() const { return appended_; }
  std::uint64_t rotations() const { return next_rotation_; }

 private:
  explicit CelWriter(CelWriterOptions options) : options_(std::move(options)) {}
  Status Rotate();

  CelWriterOptions options_;
  std::uint64_t appended_ = 0;
  std::size_t next_rotation_ = 0;  // index into options_.rotate_after
};

// The CEL lines to write beside a stream, and where: what the server's
// pump plays (event_stream.h).
struct CelPlayback {
  CelFeed feed;
  CelWriter writer;
};

}  // namespace callledger::arisim
