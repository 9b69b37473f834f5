// The module boundaries, checked on the source tree (STYLE.md: dependencies
// point toward core, adapters never include each other, the core is pure).
//
// The rules below say which modules each module may use. The link lines
// (ledger_library/ledger_tool in the CMakeLists.txt files) must stay inside
// them, and every #include in src/, tools/ and bench/ must name a header of
// the file's own library or of one on its link line. The include roots make
// the compiler hold .cc files to their link lines too; this test also covers
// headers, third-party packages and the rules themselves, and says which
// line broke.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "link_lines.h"
#include "support/fixtures.h"

namespace callledger::testing {
namespace {

namespace fs = std::filesystem;

// Which other modules each module may use: the layering, stated once. A new
// directory under src/ or tools/ needs a line here before its first build
// passes this test. `schemas` is the generated FlatBuffers code.
const std::map<std::string, std::set<std::string>> kMayUse = {
    {"src/core", {}},
    {"src/ari", {"src/core"}},
    {"src/record", {"src/core", "schemas"}},
    // The payloads of the daemon's own records; ari for ARI's Channel and Bridge.
    {"src/payload", {"src/core", "src/ari"}},
    {"src/store", {"src/core", "src/record"}},
    {"src/audit", {"src/core", "src/record", "src/ari", "src/payload"}},
    {"src/projection", {"src/core", "src/record", "src/ari", "src/payload"}},
    // Gap windows and the CEL lines of a window (the daemon's and the replay's).
    {"src/cel", {"src/core", "src/record", "src/payload"}},
    // The in-memory log only (ledger_memory_log): replay never opens RocksDB.
    {"src/replay",
     {"src/core", "src/record", "src/ari", "src/payload", "src/projection", "src/store",
      "src/cel"}},
    {"src/pg", {"src/core"}},
    {"src/server", {"src/core", "src/projection", "src/audit"}},
    // call-ledgerd's main.cc is the one place that wires concrete parts.
    {"src/daemon",
     {"src/core", "src/record", "src/ari", "src/payload", "src/projection", "src/store", "src/pg",
      "src/server", "src/cel"}},
    {"tools/common", {"src/core"}},
    {"tools/ari-sim", {"src/core", "src/ari"}},
    {"tools/ledger-audit", {"src/core", "src/audit", "src/store", "tools/common"}},
    {"tools/ledger-replay",
     {"src/core", "src/replay", "src/projection", "src/pg", "src/store", "tools/common"}},
    {"bench",
     {"src/core", "src/record", "src/ari", "src/store", "src/audit", "src/projection", "src/replay",
      "src/pg", "src/server", "src/daemon"}},
};

// Third-party headers by prefix, and the targets that provide them.
const std::vector<std::pair<std::string, std::set<std::string>>> kPackages = {
    {"simdjson", {"simdjson::simdjson"}},
    {"rocksdb/", {"RocksDB::rocksdb-shared"}},
    {"pqxx/", {"PkgConfig::PQXX"}},
    {"libpq-fe.h", {"PkgConfig::PQ"}},
    {"openssl/", {"OpenSSL::Crypto", "OpenSSL::SSL"}},
    {"flatbuffers/", {"flatbuffers::flatbuffers", "ledger_schemas"}},
    {"spdlog/", {"spdlog::spdlog"}},
    {"toml++/", {"tomlplusplus::tomlplusplus"}},
    {"CLI/", {"CLI11::CLI11"}},
    {"boost/json", {"Boost::json"}},
    {"boost/asio", {"Boost::system"}},
    {"boost/beast", {"Boost::system"}},
};

bool IsCpp(const fs::path& p) { return p.extension() == ".cc" || p.extension() == ".h"; }

std::vector<std::string> Includes(const fs::path& file, const std::regex& pattern) {
  std::vector<std::string> out;
  const std::string text = ReadFile(file);
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

// The project as its link lines describe it.
class Project {
 public:
  Project() : root_(SourceDir()), lines_(ReadLinkLines(root_, {"src", "tools", "bench"})) {
    for (const auto& line : lines_) by_name_[line.name] = &line;
    for (const char* top : {"src", "tools", "bench"}) {
      for (const auto& e : fs::recursive_directory_iterator(root_ / top)) {
        if (!IsCpp(e.path())) continue;
        const fs::path rel = fs::relative(e.path(), root_);
        files_.push_back(rel);
        const fs::path module = ModuleOf(rel);
        modules_.insert(module.string());
        if (*module.begin() != "bench") prefixes_[module.filename().string()] = module.string();
      }
    }
    std::sort(files_.begin(), files_.end());
  }

  const fs::path& root() const { return root_; }
  const std::vector<LinkLine>& lines() const { return lines_; }
  const std::vector<fs::path>& files() const { return files_; }
  const std::set<std::string>& modules() const { return modules_; }

  // src/ari/client.cc or src/ari -> src/ari; bench/raw_copy.cc -> bench.
  static fs::path ModuleOf(const fs::path& file) {
    auto it = file.begin();
    fs::path module = *it++;
    if (module != "bench") module /= *it;
    return module;
  }

  // The module a project include names ("ari/client.h" -> src/ari), or "".
  std::string ModuleOfInclude(const std::string& include) const {
    const std::string prefix = include.substr(0, include.find('/'));
    if (prefix == "schemas") return "schemas";
    auto it = prefixes_.find(prefix);
    return it == prefixes_.end() ? std::string() : it->second;
  }

  const LinkLine* Find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }

  // True if `library` puts `include` on its consumers' include path.
  bool Exports(const std::string& library, const std::string& include) const {
    if (include.starts_with("schemas/")) return library == "ledger_schemas";
    const LinkLine* line = Find(library);
    if (line == nullptr || !line->is_library) return false;
    if (!line->headers.empty()) {
      return std::find(line->headers.begin(), line->headers.end(), include) != line->headers.end();
    }
    const std::string module = ModuleOfInclude(include);
    for (const auto& dir : line->SourceDirs()) {
      if (dir == module) return true;
    }
    return false;
  }

  // True if a file built into `line` may include `include`: its own library
  // or one on its link line exports it.
  bool Sees(const LinkLine& line, const std::string& include) const {
    if (Exports(line.name, include)) return true;
    for (const auto* deps : {&line.public_deps, &line.private_deps}) {
      for (const auto& dep : *deps) {
        if (Exports(dep, include)) return true;
      }
    }
    return false;
  }

  // True if a file built into `line` compiles against `target`: on its own
  // link line, or PUBLIC on a library its link line reaches through DEPS.
  bool CompilesAgainst(const LinkLine& line, const std::string& target) const {
    if (line.Links(target)) return true;
    for (const auto& dep : line.public_deps) {
      if (PublicClosureHas(dep, target)) return true;
    }
    for (const auto& dep : line.private_deps) {
      if (PublicClosureHas(dep, target)) return true;
    }
    return false;
  }

  // The link lines a file is built by: a source's calls, or for a header
  // every call with sources in its directory (headers are built as part of
  // whichever library includes them).
  std::vector<const LinkLine*> BuiltBy(const fs::path& file) const {
    std::vector<const LinkLine*> out;
    for (const auto& line : lines_) {
      for (const auto& source : line.sources) {
        if (source == file ||
            (file.extension() == ".h" && source.parent_path() == file.parent_path())) {
          out.push_back(&line);
          break;
        }
      }
    }
    return out;
  }

 private:
  bool PublicClosureHas(const std::string& library, const std::string& target) const {
    const LinkLine* line = Find(library);
    if (line == nullptr) return false;
    for (const auto& dep : line->public_deps) {
      if (dep == target || PublicClosureHas(dep, target)) return true;
    }
    return false;
  }

  fs::path root_;
  std::vector<LinkLine> lines_;
  std::map<std::string, const LinkLine*> by_name_;
  std::vector<fs::path> files_;                  // every .cc and .h, relative to root_
  std::set<std::string> modules_;                // src/core, tools/common, bench
  std::map<std::string, std::string> prefixes_;  // include prefix -> module
};

TEST_CASE("every module has a rule, and every link line stays inside its module's rule") {
  const Project project;
  CHECK(project.modules().size() >= 14);
  for (const auto& module : project.modules()) {
    if (kMayUse.count(module) == 0) {
      FAIL_CHECK(module << " has no rule: add it to kMayUse in tests/boundaries/boundaries_test.cc"
                        << " with the modules it may use, and give it a ledger_library()");
    }
  }
  for (const auto& line : project.lines()) {
    for (const auto& dir : line.SourceDirs()) {
      const auto rule = kMayUse.find(Project::ModuleOf(dir).string());
      if (rule == kMayUse.end()) continue;  // reported above
      for (const auto* deps : {&line.public_deps, &line.private_deps}) {
        for (const auto& dep : *deps) {
          const LinkLine* other = project.Find(dep);
          std::vector<std::string> used;
          if (dep == "ledger_schemas") used.push_back("schemas");
          if (other != nullptr) {
            for (const auto& d : other->SourceDirs()) used.push_back(d.string());
          }
          for (const auto& module : used) {
            if (module == rule->first || rule->second.count(module) != 0) continue;
            FAIL_CHECK(line.cmake_file.string()
                       << ": " << line.name << " links " << dep << " (" << module << "), but "
                       << rule->first << " may not use " << module << " (kMayUse)");
          }
        }
      }
    }
  }
}

TEST_CASE("every .cc file is built by a ledger_library or ledger_tool") {
  const Project project;
  for (const auto& file : project.files()) {
    if (file.extension() != ".cc" || !project.BuiltBy(file).empty()) continue;
    FAIL_CHECK(file.string() << " is in no ledger_library() or ledger_tool() SRCS");
  }
}

TEST_CASE("every project include is a header of the file's own library or of one it links") {
  const Project project;
  const std::regex include(R"re(#include\s*"([^"]+)")re");
  int checked = 0;
  for (const auto& file : project.files()) {
    const auto built_by = project.BuiltBy(file);
    for (const auto& name : Includes(project.root() / file, include)) {
      // Beside the file (bench's own headers, a tool's private helpers).
      if (fs::exists(project.root() / file.parent_path() / name)) continue;
      ++checked;
      if (project.ModuleOfInclude(name).empty()) {
        FAIL_CHECK(file.string() << " includes \"" << name << "\", which no module holds");
        continue;
      }
      bool seen = false;
      for (const auto* line : built_by) seen = seen || project.Sees(*line, name);
      if (seen) continue;
      std::string libraries;
      for (const auto* line : built_by) libraries += " " + line->name;
      FAIL_CHECK(file.string() << " includes \"" << name << "\", but no library on the link line"
                               << " of" << libraries << " exports it: link the library that"
                               << " does (if kMayUse allows it) or drop the include");
    }
  }
  CHECK(checked > 300);
}

TEST_CASE("third-party headers are included only where their package is linked") {
  const Project project;
  const std::regex include(R"(#include\s*<([^>]+)>)");
  for (const auto& file : project.files()) {
    const auto built_by = project.BuiltBy(file);
    for (const auto& name : Includes(project.root() / file, include)) {
      for (const auto& [prefix, targets] : kPackages) {
        if (!name.starts_with(prefix)) continue;
        bool linked = false;
        for (const auto* line : built_by) {
          for (const auto& target : targets)
            linked = linked || project.CompilesAgainst(*line, target);
        }
        if (linked) continue;
        FAIL_CHECK(file.string() << " includes <" << name << "> but its link line has no "
                                 << *targets.begin() << " (DEPS if its headers need it, "
                                 << "PRIVATE_DEPS otherwise)");
      }
    }
  }
}

TEST_CASE("the core (projector included) uses no clock, randomness, I/O or adapter libraries") {
  const std::regex forbidden(
      R"(#include\s*<(chrono|random|ctime|thread|unordered_map|unordered_set|fstream|iostream|filesystem|boost/.*|rocksdb/.*|pqxx/.*|simdjson.*)>|std::rand|time\(|getenv)");
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(SourceDir() / "src" / "core")) {
    if (!IsCpp(e.path())) continue;
    const std::string text = ReadFile(e.path());
    INFO(e.path().filename().string());
    CHECK_FALSE(std::regex_search(text, forbidden));
    ++files;
  }
  CHECK(files >= 8);
}

// A `(void)` cast throws a value away, most often a Status; where that is
// right (a destructor cannot report, a retry follows), a comment on the line
// or just above says so.
TEST_CASE("every value discarded with (void) says why") {
  const Project project;
  for (const auto& file : project.files()) {
    std::istringstream in(ReadFile(project.root() / file));
    std::string previous;
    int number = 0;
    for (std::string line; std::getline(in, line); previous = line) {
      ++number;
      if (line.find("(void)") == std::string::npos) continue;
      const auto comment = previous.find("//");
      const bool said =
          line.find("//") != std::string::npos ||
          (comment != std::string::npos && comment == previous.find_first_not_of(' '));
      if (!said) {
        FAIL_CHECK(file.string() << ":" << number << " discards a value without a comment why");
      }
    }
  }
}

}  // namespace
}  // namespace callledger::testing
