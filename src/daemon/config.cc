#include "daemon/config.h"

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

#include "core/plain_name.h"
#include "daemon/config_files.h"
#include "daemon/config_keys.h"
#include "daemon/config_text.h"

extern char** environ;  // NOLINT: POSIX

namespace callledger::daemon {
namespace {

using namespace config_detail;  // NOLINT: the config files' shared helpers

// Limits on values. They are generous; they exist to catch typos (a
// reconnect delay in seconds written as milliseconds, a stray digit).
constexpr std::int64_t kMaxDelayMs = 3'600'000;  // an hour
constexpr std::int64_t kMaxSyncIntervalMs = 10'000;
constexpr std::size_t kMaxQueueFrames = std::size_t{1} << 24;
constexpr std::size_t kMinFrameBytes = 4096;
constexpr std::size_t kMaxFrameBytes = std::size_t{64} << 20;
constexpr std::size_t kMaxBatchRecords = 1'000'000;
constexpr std::size_t kMinBearerTokenChars = 16;
constexpr std::int64_t kMaxCelMarginMs = 600'000;  // ten minutes
constexpr std::int64_t kMaxCelSettleMs = 60'000;
constexpr std::size_t kMinCelRecordBytes = 64 * 1024;  // well above a CEL line (< 1 KiB)
constexpr std::size_t kMaxCelRecordBytes = std::size_t{64} << 20;

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
  if (config.cel.file.has_value()) {
    std::error_code ec;
    if (!std::filesystem::exists(*config.cel.file, ec)) {
      config.warnings.push_back("cel.file " + config.cel.file->string() +
                                " does not exist (yet): gaps are not healed from CEL until "
                                "Asterisk writes it (docs/operations.md)");
    }
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
         cel == other.cel && database == other.database && http == other.http && log == other.log;
}

Result<DaemonConfig> LoadConfig(const LoadOptions& options) {
  try {
    DaemonConfig config;
    config.ledger.node = options.host_name.has_value() ? *options.host_name : HostName();
    if (!config.ledger.node.empty()) config.sources["ledger.node"] = "host name";

    if (options.config_file.has_value()) {
      RETURN_IF_ERROR(ApplyToml(*options.config_file, config));
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
      RETURN_IF_ERROR(ApplyDotEnv(*env_file, config));
    }

    RETURN_IF_ERROR(ApplyEnvironment(options.environment, config));
    RETURN_IF_ERROR(Validate(config));
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
    } else if (!IsPlainName(value)) {
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

  // [cel]
  if (c.cel.file.has_value()) {
    std::error_code ec;
    if (std::filesystem::is_directory(*c.cel.file, ec)) {
      fail("cel.file", c.cel.file->string() + " is a directory, not cel_custom's log file");
    }
  }
  check_range("cel.margin_ms", c.cel.margin_ms.count(), 0, kMaxCelMarginMs);
  check_range("cel.settle_ms", c.cel.settle_ms.count(), 0, kMaxCelSettleMs);
  check_range("cel.max_record_bytes", as_int(c.cel.max_record_bytes), as_int(kMinCelRecordBytes),
              as_int(kMaxCelRecordBytes));

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
    fail("http.pbx_timezone",
         Quote(c.http.pbx_timezone) + " is not an IANA zone name such as Asia/Tashkent");
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
