#include "daemon/config_keys.h"

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

#include "daemon/config_text.h"

namespace callledger::daemon::config_detail {

// The keys: one table for TOML, the environment, .env, sources and the dump.

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
      CL_FIELD("cel.file", "CEL_FILE", cel.file),
      CL_FIELD("cel.margin_ms", "", cel.margin_ms),
      CL_FIELD("cel.settle_ms", "", cel.settle_ms),
      CL_FIELD("cel.max_record_bytes", "", cel.max_record_bytes),
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

}  // namespace callledger::daemon::config_detail
