#include "ari-sim/cel_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace callledger::arisim {
namespace {

constexpr int kOpenFlags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
constexpr mode_t kFileMode = 0644;

std::string ErrnoText() { return std::strerror(errno); }

// Writes all of `bytes` to `fd`, going on after partial writes and signals.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Creates `path` if absent, changing nothing in an existing file.
Status Touch(const std::string& path) {
  const int fd = ::open(path.c_str(), kOpenFlags, kFileMode);
  if (fd < 0) return Unavailable("cannot open " + path + " for appending: " + ErrnoText());
  ::close(fd);
  return Status::Ok();
}

}  // namespace

Status ValidateRotation(const std::vector<std::uint64_t>& rotate_after) {
  std::uint64_t previous = 0;
  for (const std::uint64_t n : rotate_after) {
    if (n <= previous) {
      return InvalidInput("--cel-rotate-at counts lines from 1, in increasing order (" +
                          std::to_string(n) + " after " + std::to_string(previous) + ")");
    }
    previous = n;
  }
  return Status::Ok();
}

Result<CelWriter> CelWriter::Open(CelWriterOptions options) {
  RETURN_IF_ERROR(ValidateRotation(options.rotate_after));
  if (options.path.empty()) return InvalidInput("--cel-out needs a path");
  if (Status s = Touch(options.path); !s.ok()) return InvalidInput(s.message());
  return CelWriter(std::move(options));
}

Status CelWriter::Append(std::string_view line) {
  std::string bytes;
  bytes.reserve(line.size() + 1);
  bytes.append(line);
  bytes.push_back('\n');
  const int fd = ::open(options_.path.c_str(), kOpenFlags, kFileMode);
  if (fd < 0) return Unavailable("cannot open " + options_.path + ": " + ErrnoText());
  const bool written = WriteAll(fd, bytes);
  const std::string write_error = written ? std::string() : ErrnoText();
  ::close(fd);
  if (!written) return Unavailable("cannot append to " + options_.path + ": " + write_error);
  ++appended_;
  if (next_rotation_ < options_.rotate_after.size() &&
      options_.rotate_after[next_rotation_] == appended_) {
    ++next_rotation_;
    return Rotate();
  }
  return Status::Ok();
}

Status CelWriter::Rotate() {
  const std::string rotated = options_.path + ".1";
  if (std::rename(options_.path.c_str(), rotated.c_str()) != 0) {
    return Unavailable("cannot rotate " + options_.path + " to " + rotated + ": " + ErrnoText());
  }
  return Touch(options_.path);
}

}  // namespace callledger::arisim
