#include "link_lines.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include "support/fixtures.h"

namespace callledger::testing {
namespace {

namespace fs = std::filesystem;

// The text without its comments (`#` to the end of the line). The calls read
// here hold no quoted `#`.
std::string WithoutComments(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out += line.substr(0, line.find('#'));
    out += '\n';
  }
  return out;
}

// One call's arguments, split into the sections its keywords open.
LinkLine ParseCall(bool is_library, const std::string& arguments, const fs::path& cmake_file) {
  LinkLine line;
  line.is_library = is_library;
  line.cmake_file = cmake_file;
  std::istringstream in(arguments);
  in >> line.name;
  std::string section;
  for (std::string word; in >> word;) {
    if (word == "SRCS" || word == "HDRS" || word == "DEPS" || word == "PRIVATE_DEPS") {
      section = word;
    } else if (word.starts_with("${")) {
      continue;  // a generated source
    } else if (section == "SRCS") {
      line.sources.push_back((cmake_file.parent_path() / word).lexically_normal());
    } else if (section == "HDRS") {
      line.headers.push_back(word);
    } else if (section == "DEPS") {
      line.public_deps.push_back(word);
    } else if (section == "PRIVATE_DEPS") {
      line.private_deps.push_back(word);
    }
  }
  return line;
}

}  // namespace

std::vector<fs::path> LinkLine::SourceDirs() const {
  std::vector<fs::path> dirs;
  for (const auto& source : sources) {
    if (std::find(dirs.begin(), dirs.end(), source.parent_path()) == dirs.end()) {
      dirs.push_back(source.parent_path());
    }
  }
  return dirs;
}

bool LinkLine::Links(const std::string& dep) const {
  return std::find(public_deps.begin(), public_deps.end(), dep) != public_deps.end() ||
         std::find(private_deps.begin(), private_deps.end(), dep) != private_deps.end();
}

std::vector<LinkLine> ReadLinkLines(const fs::path& root, const std::vector<std::string>& dirs) {
  // The function name at the start of a line, then everything up to the
  // closing parenthesis (the calls hold no other parenthesis).
  const std::regex call(R"((^|\n)\s*(ledger_library|ledger_tool)\(([^)]*)\))");
  std::vector<LinkLine> lines;
  for (const auto& dir : dirs) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      if (e.path().filename() == "CMakeLists.txt") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      const std::string text = WithoutComments(ReadFile(file));
      for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
        lines.push_back(
            ParseCall((*it)[2] == "ledger_library", (*it)[3], fs::relative(file, root)));
      }
    }
  }
  return lines;
}

}  // namespace callledger::testing
