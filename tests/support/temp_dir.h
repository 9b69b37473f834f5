// A temporary directory that is removed (recursively) when it goes out of
// scope. Each test gets its own; nothing is shared between tests.
#pragma once

#include <filesystem>
#include <string>

namespace callledger::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "call-ledger-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace callledger::testing
