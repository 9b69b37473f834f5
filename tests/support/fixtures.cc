#include "support/fixtures.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace callledger::testing {

std::filesystem::path SourceDir() { return CALL_LEDGER_SOURCE_DIR; }
std::filesystem::path BinaryDir() { return CALL_LEDGER_BINARY_DIR; }
std::filesystem::path CaptureDir() { return SourceDir() / "fixtures" / "asterisk"; }

std::vector<std::filesystem::path> CapturedStreams() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(CaptureDir())) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".call-center.jsonl") || name.ends_with(".observer.jsonl")) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) throw std::runtime_error("no captured streams in " + CaptureDir().string());
  return out;
}

std::filesystem::path RecordedDir() { return SourceDir() / "fixtures" / "recorded"; }

std::vector<std::filesystem::path> JsonlFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".jsonl") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ReadLines(const std::filesystem::path& path) {
  const std::string bytes = ReadFile(path);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < bytes.size()) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string::npos) end = bytes.size();
    lines.emplace_back(bytes.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out << bytes;
}

}  // namespace callledger::testing
