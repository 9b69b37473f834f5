#include "replay/restarted_cel_log.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ari/restart_cel.h"

namespace callledger::replay {
namespace {

// The lines of `text` as cel/cel_file.h reads them: each ends with a line
// feed (kept with it here, so the copy keeps the file's exact bytes); bytes
// after the last line feed are a last, unfinished line.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::size_t size = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(0, size));
    text.remove_prefix(size);
  }
  return lines;
}

std::string_view WithoutLineFeed(std::string_view line) {
  return line.ends_with('\n') ? line.substr(0, line.size() - 1) : line;
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Result<RestartedCelLog> RestartedCelLog::Write(const std::filesystem::path& original,
                                               const ari::RestartPlan& plan) {
  std::ifstream in(original, std::ios::binary);
  if (!in) return InvalidInput("cannot read " + original.string());
  std::stringstream text_stream;
  text_stream << in.rdbuf();
  if (in.bad()) return InvalidInput("error reading " + original.string());
  const std::string text = text_stream.str();

  const std::vector<std::string_view> lines = Lines(text);
  std::vector<std::string_view> bare;
  bare.reserve(lines.size());
  for (const std::string_view line : lines) bare.push_back(WithoutLineFeed(line));
  const std::vector<bool> kept = ari::KeptCelLines(plan, bare);
  std::string copy;
  copy.reserve(text.size());
  std::uint64_t left_out = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (kept[i]) {
      copy.append(lines[i]);
    } else {
      ++left_out;
    }
  }

  std::string name =
      (std::filesystem::temp_directory_path() / "call-ledger-restarted-cel-XXXXXX").string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return Unavailable("cannot create " + name + ": " + std::strerror(errno));
  RestartedCelLog log(name, left_out);
  const bool written = WriteAll(fd, copy);
  const int write_errno = errno;
  ::close(fd);
  if (!written) return Unavailable("cannot write " + name + ": " + std::strerror(write_errno));
  return log;
}

RestartedCelLog::RestartedCelLog(RestartedCelLog&& other) noexcept
    : path_(std::exchange(other.path_, {})), left_out_(other.left_out_) {}

RestartedCelLog& RestartedCelLog::operator=(RestartedCelLog&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::exchange(other.path_, {});
    left_out_ = other.left_out_;
  }
  return *this;
}

RestartedCelLog::~RestartedCelLog() { Remove(); }

void RestartedCelLog::Remove() {
  if (path_.empty()) return;
  std::error_code ignored;
  // A copy left behind in the temporary directory harms nothing.
  std::filesystem::remove(path_, ignored);
  path_.clear();
}

}  // namespace callledger::replay
