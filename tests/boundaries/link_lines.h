// The link lines of the project's libraries and tools, read from the
// ledger_library() and ledger_tool() calls of its CMakeLists.txt files, for
// the boundary test (tests/boundaries/boundaries_test.cc).
//
// A deliberately small reader: it knows those two functions and their
// keywords (SRCS, HDRS, DEPS, PRIVATE_DEPS), skips comments and ${variables}
// (generated sources), and nothing else of CMake's language.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace callledger::testing {

struct LinkLine {
  std::string name;        // ledger_ari, ledger-replay
  bool is_library = true;  // false for ledger_tool(): an executable, which exports nothing
  std::filesystem::path cmake_file;            // relative to the source tree: src/CMakeLists.txt
  std::vector<std::filesystem::path> sources;  // relative to the source tree: src/ari/timestamp.cc
  std::vector<std::string> headers;            // HDRS, as included: store/memory_event_log.h
  std::vector<std::string> public_deps;        // DEPS
  std::vector<std::string> private_deps;       // PRIVATE_DEPS

  // The directories of its sources, relative to the source tree: src/ari.
  std::vector<std::filesystem::path> SourceDirs() const;
  bool Links(const std::string& dep) const;  // in DEPS or PRIVATE_DEPS
};

// Every ledger_library and ledger_tool call of every CMakeLists.txt under
// `root` / each of `dirs`, in file order.
std::vector<LinkLine> ReadLinkLines(const std::filesystem::path& root,
                                    const std::vector<std::string>& dirs);

}  // namespace callledger::testing
