// The wallboard's files built into the binary: every file of
// src/server/wallboard/ is there byte for byte, with its content type and
// an ETag, "/" is the page, and nothing refers to another host (the page
// must work offline, on a wall screen with no internet).
#include "server/assets.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "support/fixtures.h"

namespace callledger {
namespace {

using server::Asset;
using server::FindAsset;

std::filesystem::path WallboardDir() { return testing::SourceDir() / "src/server/wallboard"; }

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

TEST_CASE("every wallboard file is embedded byte for byte") {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(WallboardDir())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string path = "/" + entry.path().filename().string();
    INFO(path);
    const Asset* asset = FindAsset(path);
    REQUIRE(asset != nullptr);
    CHECK(asset->path == path);
    CHECK(asset->body == testing::ReadFile(entry.path()));
  }
  CHECK(files >= 3);
}

TEST_CASE("\"/\" is index.html, served as text/html") {
  const Asset* root = FindAsset("/");
  REQUIRE(root != nullptr);
  CHECK(root == FindAsset("/index.html"));
  CHECK(StartsWith(root->content_type, "text/html"));
  CHECK(root->body == testing::ReadFile(WallboardDir() / "index.html"));
  CHECK(root->body.find("wallboard.js") != std::string_view::npos);
  CHECK(root->body.find("wallboard.css") != std::string_view::npos);
}

TEST_CASE("content types follow the file names") {
  REQUIRE(FindAsset("/wallboard.css") != nullptr);
  REQUIRE(FindAsset("/wallboard.js") != nullptr);
  CHECK(StartsWith(FindAsset("/wallboard.css")->content_type, "text/css"));
  CHECK(StartsWith(FindAsset("/wallboard.js")->content_type, "text/javascript"));
}

TEST_CASE("ETags are quoted and differ between files") {
  std::set<std::string_view> seen;
  for (const char* path : {"/index.html", "/wallboard.css", "/wallboard.js"}) {
    INFO(path);
    const Asset* asset = FindAsset(path);
    REQUIRE(asset != nullptr);
    REQUIRE(asset->etag.size() > 2);
    CHECK(asset->etag.front() == '"');
    CHECK(asset->etag.back() == '"');
    CHECK(seen.insert(asset->etag).second);
  }
}

TEST_CASE("unknown paths have no asset") {
  CHECK(FindAsset("") == nullptr);
  CHECK(FindAsset("/nope.js") == nullptr);
  CHECK(FindAsset("index.html") == nullptr);       // Paths start with '/'.
  CHECK(FindAsset("/index.html?x=1") == nullptr);  // The caller strips the query.
  CHECK(FindAsset("/api/stats") == nullptr);
  CHECK(FindAsset("/../CMakeLists.txt") == nullptr);
}

TEST_CASE("the page loads nothing from another host") {
  for (const char* path : {"/index.html", "/wallboard.css", "/wallboard.js"}) {
    INFO(path);
    const Asset* asset = FindAsset(path);
    REQUIRE(asset != nullptr);
    CHECK(asset->body.find("http://") == std::string_view::npos);
    CHECK(asset->body.find("https://") == std::string_view::npos);
    CHECK(asset->body.find("@import") == std::string_view::npos);
    CHECK(asset->body.find("url(") == std::string_view::npos);
  }
}

}  // namespace
}  // namespace callledger
