#include "daemon/config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <toml++/toml.h>
#include <unistd.h>

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

extern char** environ;  // NOLINT: POSIX

namespace callledger::daemon {
namespace {

// Limits on values. They are generous; they exist to catch typos (a
// reconnect delay in seconds written as milliseconds, a stray digit).
constexpr std::int64_t kMaxDelayMs = 3'600'000;  // an hour
constexpr std::int64_t kMaxSyncIntervalMs = 10'000;
constexpr std::size_t kMaxQueueFrames = std::size_t{1} << 24;
constexpr std::size_t kMinFrameBytes = 4096;
constexpr std::size_t kMaxFrameBytes = std::size_t{64} << 20;
constexpr std::size_t kMaxBatchRecords = 1'000'000;
constexpr std::size_t kMinBearerTokenChars = 16;
constexpr std::size_t kMaxNameChars = 253;  // a host name's limit
constexpr std::size_t kMaxFileBytes = 1u << 20;
constexpr std::string_view kRedacted = "***";

// ---------------------------------------------------------------------------
// Small text helpers.

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IEquals(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// Quoted for messages and for the TOML-like dump: a TOML basic string.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// RFC 3986 unreserved characters stay; everything else is %XX.
std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// ---------------------------------------------------------------------------
// host[:port] and URLs.

enum class PortRule { kOptional, kRequired };

struct Authority {
  std::string host;
  std::optional<std::uint16_t> port;
};

Result<std::uint16_t> ParsePort(std::string_view text, std::uint16_t min) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > 65535) {
    return InvalidInput("port " + Quote(text) + " is not a number from " + std::to_string(min) +
                        " to 65535");
  }
  return static_cast<std::uint16_t>(value);
}

Result<Authority> ParseAuthority(std::string_view text, PortRule rule, std::uint16_t min_port) {
  Authority out;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return InvalidInput("unclosed '[' in " + Quote(text));
    out.host = std::string(text.substr(1, close - 1));
    in6_addr addr;
    if (inet_pton(AF_INET6, out.host.c_str(), &addr) != 1) {
      return InvalidInput(Quote(out.host) + " is not an IPv6 address");
    }
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return InvalidInput("unexpected text after ']' in " + Quote(text));
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      return InvalidInput("an IPv6 address needs brackets: [" + std::string(text) + "]");
    }
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      has_port = true;
      text = text.substr(0, colon);
    }
    out.host = std::string(text);
    if (out.host.empty()) return InvalidInput("the host is empty");
    if (!std::all_of(out.host.begin(), out.host.end(), IsNameChar)) {
      return InvalidInput(Quote(out.host) + " is not a host name or an IPv4 address");
    }
  }
  if (has_port) {
    auto port = ParsePort(port_text, min_port);
    if (!port.ok()) return port.status();
    out.port = *port;
  } else if (rule == PortRule::kRequired) {
    return InvalidInput("expected host:port, e.g. 127.0.0.1:8095; the port is missing");
  }
  return out;
}

std::string BracketHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

bool IsSecretParam(std::string_view name) {
  static constexpr std::array<std::string_view, 6> kNames = {"api_key", "password",     "passwd",
                                                             "token",   "access_token", "secret"};
  std::string lower = Lower(name);
  return std::find(kNames.begin(), kNames.end(), lower) != kNames.end();
}

// ---------------------------------------------------------------------------
// The keys: one table for TOML, the environment, .env, sources and the dump.

using Ref = std::variant<std::string*, Secret*, bool*, std::chrono::milliseconds*, std::size_t*,
                         std::filesystem::path*, std::optional<std::filesystem::path>*, AriAuth*,
                         LogLevel*>;

struct Field {
  std::string_view key;  // "section.name"
  std::string_view env;  // "" if none
  Ref (*ref)(DaemonConfig&);

  std::string_view section() const { return key.substr(0, key.find('.')); }
  std::string_view name() const { return key.substr(key.find('.') + 1); }
};

#define CL_FIELD(KEY, ENV, MEMBER)                             \
  Field {                                                      \
    KEY, ENV, [](DaemonConfig& c) -> Ref { return &c.MEMBER; } \
  }

const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = {
      CL_FIELD("ari.base_url", "ARI_URL", ari.base_url),
      CL_FIELD("ari.user", "ARI_USER", ari.user),
      CL_FIELD("ari.password", "ARI_PASSWORD", ari.password),
      CL_FIELD("ari.app", "ARI_APP", ari.app),
      CL_FIELD("ari.subscribe_all", "ARI_SUBSCRIBE_ALL", ari.subscribe_all),
      CL_FIELD("ari.auth", "ARI_AUTH", ari.auth),
      CL_FIELD("ari.verify_tls", "ARI_VERIFY_TLS", ari.verify_tls),
      CL_FIELD("ari.ca_file", "", ari.ca_file),
      CL_FIELD("ari.reconnect_initial_ms", "", ari.reconnect_initial_ms),
      CL_FIELD("ari.reconnect_max_ms", "", ari.reconnect_max_ms),
      CL_FIELD("ari.ping_interval_ms", "", ari.ping_interval_ms),
      CL_FIELD("ledger.dir", "LEDGER_DIR", ledger.dir),
      CL_FIELD("ledger.node", "NODE_NAME", ledger.node),
      CL_FIELD("ledger.sync_interval_ms", "SYNC_INTERVAL_MS", ledger.sync_interval_ms),
      CL_FIELD("ledger.queue_frames", "", ledger.queue_frames),
      CL_FIELD("ledger.max_frame_bytes", "", ledger.max_frame_bytes),
      CL_FIELD("projector.call_app", "CALL_APP", projector.call_app),
      CL_FIELD("projector.recordings_dir", "RECORDINGS_DIR", projector.recordings_dir),
      CL_FIELD("database.url", "DATABASE_URL", database.url),
      CL_FIELD("database.batch_records", "", database.batch_records),
      CL_FIELD("http.listen", "HTTP_LISTEN", http.listen),
      CL_FIELD("http.bearer_token", "HTTP_BEARER_TOKEN", http.bearer_token),
      CL_FIELD("http.allow_loopback_without_token", "", http.allow_loopback_without_token),
      CL_FIELD("http.pbx_timezone", "PBX_TIMEZONE", http.pbx_timezone),
      CL_FIELD("http.service_level_seconds", "", http.service_level_seconds),
      CL_FIELD("http.max_connections", "", http.max_connections),
      CL_FIELD("http.max_header_bytes", "", http.max_header_bytes),
      CL_FIELD("http.request_timeout_ms", "", http.request_timeout_ms),
      CL_FIELD("http.idle_timeout_ms", "", http.idle_timeout_ms),
      CL_FIELD("http.write_timeout_ms", "", http.write_timeout_ms),
      CL_FIELD("http.max_live_clients", "", http.max_live_clients),
      CL_FIELD("http.live_queue_messages", "", http.live_queue_messages),
      CL_FIELD("http.db_workers", "", http.db_workers),
      CL_FIELD("http.health_max_lag_ms", "", http.health_max_lag_ms),
      CL_FIELD("log.level", "LOG_LEVEL", log.level),
  };
  return fields;
}

#undef CL_FIELD

const Field* FindField(std::string_view key) {
  for (const auto& f : Fields()) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

bool IsSecret(const Field& f) {
  DaemonConfig scratch;
  return std::holds_alternative<Secret*>(f.ref(scratch));
}

// Whether the value just set holds a secret: database.url only does if it
// carries a password.
bool HoldsSecret(const Field& f, DaemonConfig& config) {
  Ref ref = f.ref(config);
  Secret* const* secret = std::get_if<Secret*>(&ref);
  if (secret == nullptr || (*secret)->empty()) return false;
  if (f.key != "database.url") return true;
  return RedactConnectionString((*secret)->Reveal()) != (*secret)->Reveal();
}

std::vector<std::string_view> Sections() {
  std::vector<std::string_view> out;
  for (const auto& f : Fields()) {
    if (std::find(out.begin(), out.end(), f.section()) == out.end()) out.push_back(f.section());
  }
  return out;
}

// " (did you mean X?)" for a close known spelling, else "".
std::string Suggest(std::string_view unknown, const std::vector<std::string_view>& known) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (auto k : known) {
    std::size_t d = EditDistance(Lower(unknown), k);
    if (d < best_distance) best_distance = d, best = k;
  }
  return best.empty() ? "" : " (did you mean " + std::string(best) + "?)";
}

std::string SuggestKey(std::string_view section, std::string_view name) {
  // The right name in the wrong section is the likeliest mistake.
  for (const auto& f : Fields()) {
    if (f.name() == name) return " (did you mean " + std::string(f.key) + "?)";
  }
  std::vector<std::string_view> keys;
  for (const auto& f : Fields()) {
    if (f.section() == section) keys.push_back(f.key);
  }
  return Suggest(std::string(section) + "." + std::string(name), keys);
}

// ---------------------------------------------------------------------------
// Values from text (environment, .env) and from TOML nodes. Each returns the
// problem, or nullopt. Secret values never appear in a problem.

using Problem = std::optional<std::string>;

Result<bool> ParseBool(std::string_view text) {
  std::string v = Lower(Trim(text));
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return InvalidInput("expected true/false/1/0/yes/no, got " + Quote(text));
}

Result<AriAuth> ParseAriAuth(std::string_view text) {
  std::string v = Lower(Trim(text));
  if (v == "basic") return AriAuth::kBasic;
  if (v == "api_key") return AriAuth::kApiKeyQuery;
  return InvalidInput("expected \"basic\" or \"api_key\", got " + Quote(text));
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  std::string v = Lower(Trim(text));
  for (LogLevel l : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                     LogLevel::kError, LogLevel::kCritical, LogLevel::kOff}) {
    if (v == LogLevelName(l)) return l;
  }
  if (v == "warning") return LogLevel::kWarn;
  return InvalidInput("expected trace, debug, info, warn, error, critical or off, got " +
                      Quote(text));
}

Result<std::int64_t> ParseInteger(std::string_view text) {
  std::string_view t = Trim(text);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
    return InvalidInput("expected an integer, got " + Quote(text));
  }
  return value;
}

template <typename T>
Problem Take(Result<T> parsed, T* out) {
  if (!parsed.ok()) return parsed.status().message();
  *out = *parsed;
  return std::nullopt;
}

Problem SetFromText(Ref ref, std::string_view text) {
  return std::visit(
      [&](auto* out) -> Problem {
        using T = std::remove_pointer_t<decltype(out)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
          *out = T(std::string(text));
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, Secret>) {
          *out = Secret(std::string(text));
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, std::optional<std::filesystem::path>>) {
          if (text.empty())
            out->reset();
          else
            *out = std::filesystem::path(std::string(text));
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, bool>) {
          return Take(ParseBool(text), out);
        } else if constexpr (std::is_same_v<T, AriAuth>) {
          return Take(ParseAriAuth(text), out);
        } else if constexpr (std::is_same_v<T, LogLevel>) {
          return Take(ParseLogLevel(text), out);
        } else if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
          auto v = ParseInteger(text);
          if (!v.ok()) return v.status().message();
          *out = std::chrono::milliseconds(*v);
          return std::nullopt;
        } else {
          static_assert(std::is_same_v<T, std::size_t>);
          auto v = ParseInteger(text);
          if (!v.ok()) return v.status().message();
          if (*v < 0) return "expected a non-negative integer, got " + Quote(text);
          *out = static_cast<std::size_t>(*v);
          return std::nullopt;
        }
      },
      ref);
}

std::string_view TomlTypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

std::string WrongType(std::string_view expected, const toml::node& node) {
  return "expected " + std::string(expected) + ", got " + std::string(TomlTypeName(node.type()));
}

Problem SetFromToml(Ref ref, const toml::node& node) {
  return std::visit(
      [&](auto* out) -> Problem {
        using T = std::remove_pointer_t<decltype(out)>;
        if constexpr (std::is_same_v<T, bool>) {
          const auto* b = node.as_boolean();
          if (b == nullptr) return WrongType("a boolean (true or false)", node);
          *out = b->get();
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, std::chrono::milliseconds> ||
                             std::is_same_v<T, std::size_t>) {
          const auto* i = node.as_integer();
          if (i == nullptr) {
            return WrongType(
                std::is_same_v<T, std::size_t> ? "an integer" : "an integer (milliseconds)", node);
          }
          if constexpr (std::is_same_v<T, std::size_t>) {
            if (i->get() < 0)
              return "expected a non-negative integer, got " + std::to_string(i->get());
            *out = static_cast<std::size_t>(i->get());
          } else {
            *out = std::chrono::milliseconds(i->get());
          }
          return std::nullopt;
        } else {
          // Everything else is written as a string and parsed like text.
          const auto* s = node.as_string();
          if (s == nullptr) {
            if constexpr (std::is_same_v<T, AriAuth>) {
              return WrongType("a string (\"basic\" or \"api_key\")", node);
            } else if constexpr (std::is_same_v<T, LogLevel>) {
              return WrongType("a string (\"info\", \"debug\", ...)", node);
            } else {
              return WrongType("a string", node);
            }
          }
          return SetFromText(ref, s->get());
        }
      },
      ref);
}

// The value as the dump shows it: TOML syntax, secrets as ***.
std::string Show(const Field& field, DaemonConfig& config) {
  return std::visit(
      [&](auto* v) -> std::string {
        using T = std::remove_pointer_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return Quote(field.key == "ari.base_url" ? RedactUrl(*v) : *v);
        } else if constexpr (std::is_same_v<T, Secret>) {
          if (v->empty()) return "\"\"";
          if (field.key == "database.url") return Quote(RedactConnectionString(v->Reveal()));
          return Quote(kRedacted);
        } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
          return Quote(v->string());
        } else if constexpr (std::is_same_v<T, std::optional<std::filesystem::path>>) {
          return Quote(v->has_value() ? (*v)->string() : "");
        } else if constexpr (std::is_same_v<T, bool>) {
          return *v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
          return std::to_string(v->count());
        } else if constexpr (std::is_same_v<T, std::size_t>) {
          return std::to_string(*v);
        } else if constexpr (std::is_same_v<T, AriAuth>) {
          return Quote(AriAuthName(*v));
        } else {
          return Quote(LogLevelName(*v));
        }
      },
      field.ref(config));
}

// ---------------------------------------------------------------------------
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
  auto text = ReadSmallFile(path, "config file");
  if (!text.ok()) return text.status();
  const std::string file = path.string();
  toml::table root;
  try {
    root = toml::parse(*text, file);
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
  auto text = ReadSmallFile(path, ".env file");
  if (!text.ok()) return text.status();
  const std::string file = path.string();
  auto entries = ParseDotEnv(*text, file);
  if (!entries.ok()) return entries.status();
  std::vector<std::string> errors;
  std::vector<std::string> secrets;
  for (const auto& e : *entries) {
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

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// Not errors, but an operator should see them at start-up.
void CollectWarnings(DaemonConfig& config) {
  const AriConfig& ari = config.ari;
  if (ari.app == config.projector.call_app) {
    config.warnings.push_back(
        "ari.app is the dialplan's application (" + ari.app +
        "): app mode takes the application away from its controller (DESIGN 1); "
        "production runs in observer mode under its own name");
  } else if (!ari.subscribe_all) {
    config.warnings.push_back("ari.subscribe_all is off and ari.app (" + ari.app +
                              ") is not the dialplan's application (" + config.projector.call_app +
                              "): no calls will be seen");
  }
  if (ari.auth == AriAuth::kApiKeyQuery) {
    config.warnings.push_back(
        "ari.auth = \"api_key\": the ARI password travels in URL query strings");
  }
  auto endpoint = ari.Endpoint();
  if (endpoint.ok()) {
    if (endpoint->transport == Transport::kTls && !ari.verify_tls) {
      config.warnings.push_back(
          "ari.verify_tls is off: the ARI server's certificate is not checked");
    }
    if (endpoint->transport == Transport::kPlain && !IsLoopbackHost(endpoint->host)) {
      config.warnings.push_back("ari.base_url is plain http to " + endpoint->host +
                                ": ARI credentials cross the network unencrypted; use https://");
    }
  }
}

std::string SourceOf(const DaemonConfig& config, std::string_view key) {
  auto it = config.sources.find(key);
  return it == config.sources.end() ? "default" : it->second;
}

}  // namespace

// ---------------------------------------------------------------------------
// Names.

std::string_view AriAuthName(AriAuth auth) {
  return auth == AriAuth::kApiKeyQuery ? "api_key" : "basic";
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kCritical:
      return "critical";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

// ---------------------------------------------------------------------------
// URLs.

Result<AriEndpoint> ParseAriBaseUrl(std::string_view url) {
  const std::string shown = Quote(RedactUrl(url));
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidInput("expected a base URL such as http://127.0.0.1:8088, got " + shown);
  }
  AriEndpoint out;
  const std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme == "http") {
    out.transport = Transport::kPlain;
  } else if (scheme == "https") {
    out.transport = Transport::kTls;
  } else {
    return InvalidInput("scheme " + scheme + ":// is not supported in " + shown +
                        ": give the http:// or https:// base; the ws:// or wss:// events URL "
                        "is derived from it");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return InvalidInput("a base URL has no query or fragment: " + shown);
  }
  if (std::any_of(rest.begin(), rest.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c < 0x20; })) {
    return InvalidInput("the URL contains white space: " + shown);
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return InvalidInput("credentials in the URL are not accepted (" + shown +
                        "): set ari.user and ari.password (ARI_USER, ARI_PASSWORD)");
  }
  auto parsed = ParseAuthority(authority, PortRule::kOptional, 1);
  if (!parsed.ok()) return InvalidInput(parsed.status().message() + " in " + shown);
  out.host = parsed->host;
  out.port_written = parsed->port.has_value();
  out.port = parsed->port.value_or(out.transport == Transport::kTls ? 443 : 80);

  while (path.ends_with('/')) path.remove_suffix(1);
  if (path.ends_with("/ari/events")) {
    return InvalidInput("give the server's base URL, not the events endpoint: " + shown);
  }
  if (path.ends_with("/ari")) path.remove_suffix(4);
  out.path_prefix = std::string(path);
  return out;
}

std::string AriEndpoint::Authority() const {
  std::string a = BracketHost(host);
  if (port_written) a += ":" + std::to_string(port);
  return a;
}

std::string AriEndpoint::RestBase() const {
  return std::string(transport == Transport::kTls ? "https://" : "http://") + Authority() +
         path_prefix + "/ari";
}

std::string AriEndpoint::EventsUrl() const {
  return std::string(transport == Transport::kTls ? "wss://" : "ws://") + Authority() +
         EventsPath();
}

std::string AriEndpoint::EventsPath() const { return path_prefix + "/ari/events"; }

std::string AriEndpoint::RestPath(std::string_view resource) const {
  while (resource.starts_with('/')) resource.remove_prefix(1);
  return path_prefix + "/ari/" + std::string(resource);
}

Result<std::string> AriConfig::EventsUrl() const {
  auto endpoint = Endpoint();
  if (!endpoint.ok()) return endpoint.status();
  return endpoint->EventsUrl();
}

Result<std::string> AriConfig::RestBase() const {
  auto endpoint = Endpoint();
  if (!endpoint.ok()) return endpoint.status();
  return endpoint->RestBase();
}

std::string AriConfig::EventsQuery() const {
  std::string q =
      "app=" + PercentEncode(app) + "&subscribeAll=" + (subscribe_all ? "true" : "false");
  if (auth == AriAuth::kApiKeyQuery) q += "&" + ApiKeyParam();
  return q;
}

std::string AriConfig::ApiKeyParam() const {
  if (auth != AriAuth::kApiKeyQuery) return "";
  return "api_key=" + PercentEncode(user) + ":" + PercentEncode(password.Reveal());
}

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  // Userinfo: "scheme://user:password@". The last '@' before any query is
  // taken, so a password with an unencoded '/' or '@' is still hidden.
  if (auto scheme_end = out.find("://"); scheme_end != std::string::npos) {
    const std::size_t start = scheme_end + 3;
    const std::size_t end = std::min(out.find_first_of("?#", start), out.size());
    const std::size_t at = out.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, kRedacted);
      }
    }
  }
  // Query parameters that carry secrets (also in a bare "/path?query").
  const std::size_t query = out.find('?');
  if (query == std::string::npos) return out;
  std::string result = out.substr(0, query + 1);
  const std::size_t fragment = out.find('#', query);
  std::string_view params(out.data() + query + 1,
                          (fragment == std::string::npos ? out.size() : fragment) - query - 1);
  bool first = true;
  while (true) {
    auto amp = params.find('&');
    std::string_view param = params.substr(0, amp);
    if (!first) result += '&';
    first = false;
    auto eq = param.find('=');
    if (eq != std::string_view::npos && IsSecretParam(param.substr(0, eq))) {
      result += std::string(param.substr(0, eq + 1)) + std::string(kRedacted);
    } else {
      result += param;
    }
    if (amp == std::string_view::npos) break;
    params.remove_prefix(amp + 1);
  }
  if (fragment != std::string::npos) result += out.substr(fragment);
  return result;
}

std::string RedactConnectionString(std::string_view conninfo) {
  std::string_view trimmed = Trim(conninfo);
  if (trimmed.starts_with("postgresql://") || trimmed.starts_with("postgres://")) {
    return RedactUrl(conninfo);
  }
  // libpq keyword form: key = value pairs; a value is 'quoted' (with \' and
  // \\) or runs to white space. Anything unparsable is hidden entirely, as
  // it may be a secret pasted in the wrong place.
  std::string out;
  std::size_t i = 0;
  const std::size_t n = conninfo.size();
  auto space = [&](std::size_t j) { return std::isspace(static_cast<unsigned char>(conninfo[j])); };
  bool any = false;
  while (true) {
    std::size_t ws = i;
    while (i < n && space(i)) ++i;
    out.append(conninfo.substr(ws, i - ws));
    if (i >= n) break;
    std::size_t key_start = i;
    while (i < n && conninfo[i] != '=' && !space(i)) ++i;
    std::string_view key = conninfo.substr(key_start, i - key_start);
    while (i < n && space(i)) ++i;
    if (key.empty() || i >= n || conninfo[i] != '=') return std::string(kRedacted);
    ++i;
    while (i < n && space(i)) ++i;
    std::size_t value_start = i;
    if (i < n && conninfo[i] == '\'') {
      ++i;
      while (i < n && conninfo[i] != '\'') i += conninfo[i] == '\\' ? 2 : 1;
      if (i >= n) return std::string(kRedacted);
      ++i;
    } else {
      while (i < n && !space(i)) i += conninfo[i] == '\\' ? 2 : 1;
      i = std::min(i, n);
    }
    out += key;
    out += '=';
    out += key == "password" ? std::string(kRedacted)
                             : std::string(conninfo.substr(value_start, i - value_start));
    any = true;
  }
  return any ? out : std::string(conninfo);
}

// ---------------------------------------------------------------------------
// host:port.

Result<HostPort> ParseHostPort(std::string_view text) {
  auto parsed = ParseAuthority(text, PortRule::kRequired, 0);
  if (!parsed.ok()) return parsed.status();
  return HostPort{parsed->host, *parsed->port};
}

bool IsLoopbackHost(std::string_view host) {
  if (IEquals(host, "localhost")) return true;
  const std::string h(host);
  in_addr v4;
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Loading.

std::map<std::string, std::string> EnvironmentFromProcess() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

bool DaemonConfig::operator==(const DaemonConfig& other) const {
  return ari == other.ari && ledger == other.ledger && projector == other.projector &&
         database == other.database && http == other.http && log == other.log;
}

Result<DaemonConfig> LoadConfig(const LoadOptions& options) {
  try {
    DaemonConfig config;
    config.ledger.node = options.host_name.has_value() ? *options.host_name : HostName();
    if (!config.ledger.node.empty()) config.sources["ledger.node"] = "host name";

    if (options.config_file.has_value()) {
      if (Status s = ApplyToml(*options.config_file, config); !s.ok()) return s;
    }

    std::optional<std::filesystem::path> env_file = options.env_file;
    if (!env_file.has_value()) {
      std::error_code ec;
      std::filesystem::path dir = options.working_directory.has_value()
                                      ? *options.working_directory
                                      : std::filesystem::current_path(ec);
      std::filesystem::path candidate = dir / ".env";
      if (!ec && std::filesystem::exists(candidate, ec)) env_file = candidate;
    }
    if (env_file.has_value()) {
      if (Status s = ApplyDotEnv(*env_file, config); !s.ok()) return s;
    }

    if (Status s = ApplyEnvironment(options.environment, config); !s.ok()) return s;
    if (Status s = Validate(config); !s.ok()) return s;
    CollectWarnings(config);
    return config;
  } catch (const std::exception& e) {
    // Nothing here should throw but allocation; no exception leaves the module.
    return Internal(std::string("loading the configuration: ") + e.what());
  }
}

// ---------------------------------------------------------------------------
// Validation.

Status Validate(const DaemonConfig& c) {
  std::vector<std::string> errors;
  auto fail = [&](std::string_view key, const std::string& problem) {
    errors.push_back(std::string(key) + " (" + SourceOf(c, key) + "): " + problem);
  };
  auto check_name = [&](std::string_view key, const std::string& value, std::string_view env) {
    if (value.empty()) {
      fail(key, "must not be empty; set it in the config file or " + std::string(env));
    } else if (value.size() > kMaxNameChars ||
               !std::all_of(value.begin(), value.end(), IsNameChar)) {
      fail(key, Quote(value) + " may contain only letters, digits, '.', '_' and '-'");
    }
  };
  auto check_range = [&](std::string_view key, std::int64_t value, std::int64_t lo,
                         std::int64_t hi) {
    if (value < lo || value > hi) {
      fail(key, std::to_string(value) + " is out of range [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "]");
    }
  };
  auto as_int = [](std::size_t v) {
    return static_cast<std::int64_t>(std::min<std::size_t>(v, INT64_MAX));
  };

  // [ari]
  if (auto endpoint = c.ari.Endpoint(); !endpoint.ok()) {
    fail("ari.base_url", endpoint.status().message());
  }
  if (c.ari.user.empty()) {
    fail("ari.user", "must not be empty: ARI always authenticates (ari.conf); set ARI_USER");
  } else if (c.ari.user.find(':') != std::string::npos) {
    fail("ari.user", "must not contain ':'");
  }
  if (c.ari.password.empty()) {
    fail("ari.password", "must not be empty; set ARI_PASSWORD (environment or .env)");
  }
  check_name("ari.app", c.ari.app, "ARI_APP");
  if (c.ari.ca_file.has_value()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*c.ari.ca_file, ec)) {
      fail("ari.ca_file", c.ari.ca_file->string() + " is not a readable file");
    }
  }
  check_range("ari.reconnect_initial_ms", c.ari.reconnect_initial_ms.count(), 1, kMaxDelayMs);
  check_range("ari.reconnect_max_ms", c.ari.reconnect_max_ms.count(),
              std::max<std::int64_t>(1, c.ari.reconnect_initial_ms.count()), kMaxDelayMs);
  check_range("ari.ping_interval_ms", c.ari.ping_interval_ms.count(), 1, kMaxDelayMs);

  // [ledger]
  if (c.ledger.dir.empty()) fail("ledger.dir", "must not be empty; set it or LEDGER_DIR");
  check_name("ledger.node", c.ledger.node, "NODE_NAME");
  check_range("ledger.sync_interval_ms", c.ledger.sync_interval_ms.count(), 0, kMaxSyncIntervalMs);
  check_range("ledger.queue_frames", as_int(c.ledger.queue_frames), 1, as_int(kMaxQueueFrames));
  check_range("ledger.max_frame_bytes", as_int(c.ledger.max_frame_bytes), as_int(kMinFrameBytes),
              as_int(kMaxFrameBytes));

  // [projector]
  check_name("projector.call_app", c.projector.call_app, "CALL_APP");
  if (c.projector.recordings_dir.empty()) {
    fail("projector.recordings_dir", "must not be empty; set it or RECORDINGS_DIR");
  }

  // [database]
  const std::string& db = c.database.url.Reveal();
  if (db.empty()) {
    fail("database.url",
         "must be set: a libpq connection string such as "
         "postgresql://call_ledger@127.0.0.1/call_ledger (DATABASE_URL)");
  } else if (db.find("://") != std::string::npos
                 ? !(db.starts_with("postgresql://") || db.starts_with("postgres://"))
                 : db.find('=') == std::string::npos) {
    // The value itself is never shown: it may hold a password.
    fail("database.url",
         "is neither a postgresql:// URI nor a keyword string (host=... dbname=...)");
  }
  check_range("database.batch_records", as_int(c.database.batch_records), 1,
              as_int(kMaxBatchRecords));

  // [http]
  const std::string& token = c.http.bearer_token.Reveal();
  if (!token.empty()) {
    if (token.size() < kMinBearerTokenChars) {
      fail("http.bearer_token",
           "is shorter than " + std::to_string(kMinBearerTokenChars) + " characters");
    }
    if (std::any_of(token.begin(), token.end(), [](char ch) {
          return std::isspace(static_cast<unsigned char>(ch)) ||
                 std::iscntrl(static_cast<unsigned char>(ch));
        })) {
      fail("http.bearer_token", "must not contain white space or control characters");
    }
  }
  check_range("http.service_level_seconds", as_int(c.http.service_level_seconds), 0, 3600);
  check_range("http.max_connections", as_int(c.http.max_connections), 1, 100000);
  check_range("http.max_header_bytes", as_int(c.http.max_header_bytes), 1024, 1 << 20);
  check_range("http.request_timeout_ms", c.http.request_timeout_ms.count(), 1, kMaxDelayMs);
  check_range("http.idle_timeout_ms", c.http.idle_timeout_ms.count(), 1, kMaxDelayMs);
  check_range("http.write_timeout_ms", c.http.write_timeout_ms.count(), 1, kMaxDelayMs);
  check_range("http.max_live_clients", as_int(c.http.max_live_clients), 1, 100000);
  check_range("http.live_queue_messages", as_int(c.http.live_queue_messages), 1, 1 << 20);
  check_range("http.db_workers", as_int(c.http.db_workers), 1, 64);
  check_range("http.health_max_lag_ms", c.http.health_max_lag_ms.count(), 1, kMaxDelayMs);
  if (c.http.pbx_timezone.find_first_of(" \t\r\n'\"\\;") != std::string::npos) {
    fail("http.pbx_timezone", Quote(c.http.pbx_timezone) + " is not an IANA zone name such as Asia/Tashkent");
  }
  if (auto listen = ParseHostPort(c.http.listen); !listen.ok()) {
    fail("http.listen", Quote(c.http.listen) + ": " + listen.status().message());
  } else if (!IsLoopbackHost(listen->host) && token.empty()) {
    fail("http.listen",
         Quote(c.http.listen) +
             " is not a loopback address: set http.bearer_token (HTTP_BEARER_TOKEN) too");
  }

  if (errors.empty()) return Status::Ok();
  return InvalidInput(Join(errors, "; "));
}

// ---------------------------------------------------------------------------
// The dump.

std::string Redacted(const DaemonConfig& config) {
  DaemonConfig copy = config;  // Fields() hands out non-const references.
  std::ostringstream out;
  out << "# call-ledgerd configuration (secrets are shown as ***)\n";
  std::string_view section;
  for (const auto& field : Fields()) {
    if (field.section() != section) {
      section = field.section();
      out << "\n[" << section << "]\n";
    }
    std::string line = std::string(field.name()) + " = " + Show(field, copy);
    if (line.size() < 44) line.resize(44, ' ');
    out << line << "  # " << SourceOf(config, field.key) << "\n";
  }
  out << "\n# Derived:\n";
  if (auto endpoint = config.ari.Endpoint(); endpoint.ok()) {
    out << "#   ARI REST base  " << endpoint->RestBase() << "\n";
    out << "#   ARI events     "
        << RedactUrl(endpoint->EventsUrl() + "?" + config.ari.EventsQuery()) << "\n";
  } else {
    out << "#   ARI URLs       (ari.base_url: " << endpoint.status().message() << ")\n";
  }
  const bool app_mode = config.ari.app == config.projector.call_app;
  out << "#   mode           "
      << (app_mode ? "app (takes " + config.ari.app + " from its controller)"
                   : "observer (app " + config.ari.app + ", dialplan app " +
                         config.projector.call_app + ")")
      << "\n";
  return out.str();
}

const std::vector<ConfigKey>& ConfigKeys() {
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> out;
    for (const auto& f : Fields()) out.push_back({f.key, f.env, IsSecret(f)});
    return out;
  }();
  return keys;
}

}  // namespace callledger::daemon
