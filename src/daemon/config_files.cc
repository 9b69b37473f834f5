#include "daemon/config_files.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <type_traits>
#include <utility>
#include <variant>

#include "daemon/config_keys.h"
#include "daemon/config_text.h"

namespace callledger::daemon::config_detail {
namespace {

constexpr std::size_t kMaxFileBytes = 1u << 20;

}  // namespace

// Files.

Result<std::string> ReadSmallFile(const std::filesystem::path& path, std::string_view what) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return NotFound(std::string(what) + " " + path.string() + " does not exist");
  }
  if (ec) {
    return FailedPrecondition("cannot read " + std::string(what) + " " + path.string() + ": " +
                              ec.message());
  }
  if (std::filesystem::is_directory(status)) {
    return FailedPrecondition(std::string(what) + " " + path.string() + " is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return FailedPrecondition("cannot read " + std::string(what) + " " + path.string() + ": " +
                              std::strerror(errno));
  }
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return InvalidInput(std::string(what) + " " + path.string() + " is larger than 1 MiB");
    }
  }
  if (in.bad()) {
    return FailedPrecondition("cannot read " + std::string(what) + " " + path.string());
  }
  return text;
}

// A file that holds secrets should be readable by its owner only.
void WarnIfShared(const std::filesystem::path& path, const std::vector<std::string>& secrets,
                  std::vector<std::string>& warnings) {
  if (secrets.empty()) return;
  std::error_code ec;
  auto perms = std::filesystem::status(path, ec).permissions();
  if (ec) return;
  using P = std::filesystem::perms;
  if ((perms & (P::group_all | P::others_all)) != P::none) {
    warnings.push_back(path.string() + " holds " + Join(secrets, ", ") +
                       " and is readable by other users; chmod 600 it");
  }
}

Status ApplyToml(const std::filesystem::path& path, DaemonConfig& config) {
  ASSIGN_OR_RETURN(const std::string text, ReadSmallFile(path, "config file"));
  const std::string file = path.string();
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    // toml++'s descriptions name the construct, not the surrounding text.
    return InvalidInput(file + ":" + std::to_string(where.line) + ":" +
                        std::to_string(where.column) +
                        ": not valid TOML: " + std::string(e.description()));
  }
  auto where = [&](const toml::source_region& region) {
    if (region.begin.line == 0) return file;
    return file + ":" + std::to_string(region.begin.line) + ":" +
           std::to_string(region.begin.column);
  };

  // toml++ iterates keys in sorted order; errors are reported in file order.
  std::vector<std::pair<toml::source_position, std::string>> problems;
  auto problem = [&](const toml::source_region& region, std::string message) {
    problems.emplace_back(region.begin, std::move(message));
  };
  std::vector<std::string> secrets;
  const auto sections = Sections();
  for (auto&& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
      if (section_node.is_table()) {
        problem(section_key.source(), where(section_key.source()) + ": unknown section [" +
                                          section + "]" + Suggest(section, sections));
      } else {
        problem(section_key.source(), where(section_key.source()) + ": unknown key " + section +
                                          " (keys belong in a section such as [ari])" +
                                          SuggestKey("", section));
      }
      continue;
    }
    const auto* table = section_node.as_table();
    if (table == nullptr) {
      problem(section_node.source(), section + " (" + where(section_node.source()) + "): " +
                                         WrongType("a table ([" + section + "])", section_node));
      continue;
    }
    for (auto&& [name_key, value] : *table) {
      const std::string name(name_key.str());
      const std::string key = section + "." + name;
      const Field* field = FindField(key);
      if (field == nullptr) {
        problem(name_key.source(),
                where(name_key.source()) + ": unknown key " + key + SuggestKey(section, name));
        continue;
      }
      if (Problem p = SetFromToml(field->ref(config), value)) {
        problem(value.source(), key + " (" + where(value.source()) + "): " + *p);
        continue;
      }
      config.sources[key] = where(value.source());
      if (HoldsSecret(*field, config)) secrets.push_back(key);
    }
  }
  std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
    return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
  });
  std::vector<std::string> errors;
  for (auto& p : problems) errors.push_back(std::move(p.second));
  if (!errors.empty()) return InvalidInput(Join(errors, "; "));
  WarnIfShared(path, secrets, config.warnings);
  return Status::Ok();
}

struct DotEnvEntry {
  std::string key;
  std::string value;
  int line = 0;
};

// KEY=VALUE lines; '#' comments; "export KEY=VALUE"; values unquoted (an
// inline comment needs a space before '#'), 'single-quoted' (literal) or
// "double-quoted" (\" \\ \n \t escapes). Values never appear in errors.
Result<std::vector<DotEnvEntry>> ParseDotEnv(std::string_view text, const std::string& file) {
  std::vector<DotEnvEntry> entries;
  std::vector<std::string> errors;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = file + ":" + std::to_string(line_no);
    if (line.starts_with("export") && line.size() > 6 &&
        std::isspace(static_cast<unsigned char>(line[6]))) {
      line = Trim(line.substr(6));
    }
    std::size_t k = 0;
    while (k < line.size() && (std::isalnum(static_cast<unsigned char>(line[k])) || line[k] == '_'))
      ++k;
    std::string key(line.substr(0, k));
    std::string_view rest = Trim(line.substr(k));
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0])) || rest.empty() ||
        rest.front() != '=') {
      errors.push_back(where + ": expected KEY=VALUE");
      continue;
    }
    rest = rest.substr(1);
    // "KEY=#x" is the value "#x"; "KEY= # x" is an empty value and a comment.
    const bool spaced = !rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()));
    rest = Trim(rest);
    std::string value;
    std::string_view after;
    if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
      const char quote = rest.front();
      std::size_t i = 1;
      bool closed = false;
      for (; i < rest.size(); ++i) {
        char c = rest[i];
        if (c == quote) {
          closed = true;
          break;
        }
        if (quote == '"' && c == '\\' && i + 1 < rest.size()) {
          char n = rest[++i];
          value += n == 'n' ? '\n' : n == 't' ? '\t' : n;
        } else {
          value += c;
        }
      }
      if (!closed) {
        errors.push_back(where + ": unterminated quote in the value of " + key);
        continue;
      }
      after = Trim(rest.substr(i + 1));
      if (!after.empty() && after.front() != '#') {
        errors.push_back(where + ": unexpected text after the closing quote of " + key);
        continue;
      }
    } else {
      std::size_t end = rest.size();
      for (std::size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == '#' && std::isspace(static_cast<unsigned char>(rest[i - 1]))) {
          end = i;
          break;
        }
      }
      if (spaced && !rest.empty() && rest.front() == '#') end = 0;
      value = std::string(Trim(rest.substr(0, end)));
    }
    entries.push_back({std::move(key), std::move(value), line_no});
  }
  if (!errors.empty()) return InvalidInput(Join(errors, "; "));
  return entries;
}

const Field* FieldForEnv(std::string_view env) {
  for (const auto& f : Fields()) {
    if (!f.env.empty() && f.env == env) return &f;
  }
  return nullptr;
}

// A key meant for us but misspelt (ARI_USERNAME, LOGLEVEL), as opposed to
// one for another program sharing the file (NODE_ENV, PORT, HTTP_PROXY).
bool LooksLikeOurs(std::string_view env) {
  if (env.starts_with("ARI_") || env.starts_with("LEDGER_")) return true;
  for (const auto& f : Fields()) {
    if (!f.env.empty() && EditDistance(env, f.env) <= 2) return true;
  }
  return false;
}

Status ApplyDotEnv(const std::filesystem::path& path, DaemonConfig& config) {
  ASSIGN_OR_RETURN(const std::string text, ReadSmallFile(path, ".env file"));
  const std::string file = path.string();
  ASSIGN_OR_RETURN(const auto entries, ParseDotEnv(text, file));
  std::vector<std::string> errors;
  std::vector<std::string> secrets;
  for (const auto& e : entries) {
    const std::string where = file + ":" + std::to_string(e.line) + " (" + e.key + ")";
    const Field* field = FieldForEnv(e.key);
    if (field == nullptr) {
      if (LooksLikeOurs(e.key)) {
        config.warnings.push_back(file + ":" + std::to_string(e.line) + ": " + e.key +
                                  " is not a call-ledger setting; ignored");
      }
      continue;
    }
    if (Problem p = SetFromText(field->ref(config), e.value)) {
      errors.push_back(std::string(field->key) + " (" + where + "): " + *p);
      continue;
    }
    config.sources[std::string(field->key)] = where;
    if (HoldsSecret(*field, config)) secrets.push_back(e.key);
  }
  if (!errors.empty()) return InvalidInput(Join(errors, "; "));
  WarnIfShared(path, secrets, config.warnings);
  return Status::Ok();
}

Status ApplyEnvironment(const std::map<std::string, std::string>& environment,
                        DaemonConfig& config) {
  std::vector<std::string> errors;
  for (const auto& field : Fields()) {
    if (field.env.empty()) continue;
    auto it = environment.find(std::string(field.env));
    if (it == environment.end()) continue;
    const std::string where = "environment variable " + std::string(field.env);
    if (Problem p = SetFromText(field.ref(config), it->second)) {
      errors.push_back(std::string(field.key) + " (" + where + "): " + *p);
      continue;
    }
    config.sources[std::string(field.key)] = where;
  }
  if (!errors.empty()) return InvalidInput(Join(errors, "; "));
  return Status::Ok();
}

}  // namespace callledger::daemon::config_detail
