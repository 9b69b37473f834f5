// payload/ depends on core and on ari's pure parsing only (its link line
// says so too), and neither of those depends on it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "support/fixtures.h"

namespace callledger {
namespace {

void CheckIncludes(const std::string& module, const std::regex& forbidden) {
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(testing::SourceDir() / "src" / module)) {
    INFO(e.path().string());
    CHECK_FALSE(std::regex_search(testing::ReadFile(e.path()), forbidden));
    ++files;
  }
  CHECK(files > 0);
}

TEST_CASE("payload includes only core and ari; core and ari do not include payload") {
  CheckIncludes(
      "payload",
      std::regex(R"(#include\s*"(record|store|audit|projection|replay|pg|server|daemon)/)"));
  CheckIncludes("core", std::regex(R"(#include\s*"payload/)"));
  CheckIncludes("ari", std::regex(R"(#include\s*"payload/)"));
}

}  // namespace
}  // namespace callledger
