// The configuration of call-ledgerd: what it is, where it comes from, and how
// it is checked and printed.
//
// Sources, later ones win:
//   1. the defaults written in the structs below;
//   2. a TOML file (LoadOptions::config_file), sections [ari], [ledger],
//      [projector], [cel], [database], [http], [log] with the field names
//      below;
//      an unknown section or key, or a value of the wrong type, is an error
//      that names it (a typo must never be silently ignored);
//   3. a `.env` file (KEY=VALUE lines, the environment's keys; other keys are
//      ignored because such files are often shared with other programs);
//   4. the environment (LoadOptions::environment, see EnvironmentFromProcess).
// Environment keys: ARI_URL, ARI_USER, ARI_PASSWORD, ARI_APP,
// ARI_SUBSCRIBE_ALL, ARI_AUTH, ARI_VERIFY_TLS, DATABASE_URL, LEDGER_DIR,
// NODE_NAME, HTTP_LISTEN, HTTP_BEARER_TOKEN, CALL_APP, RECORDINGS_DIR,
// CEL_FILE, LOG_LEVEL, SYNC_INTERVAL_MS.
// docs/config.sample.toml lists every key with its default.
//
// Secrets (ari.password, database.url, http.bearer_token) are held in
// `Secret`, which cannot be printed by accident. They are never taken from
// argv, and neither error messages nor Redacted() contain them.
//
// Error codes: kNotFound for an explicitly given file that does not exist,
// kFailedPrecondition for a file that cannot be read, kInvalidInput for
// everything wrong inside a file or a value (all such errors at once, joined
// by "; ", each naming the key and where its value came from).
//
// All types here are plain values; the functions are thread-safe except
// EnvironmentFromProcess (which reads `environ`).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace callledger::daemon {

// A secret value. Deliberately has no operator<< and no formatter: the only
// way to the characters is Reveal(), which should appear next to the one
// place that sends them (an Authorization header, libpq).
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

// How the daemon authenticates to ARI.
enum class AriAuth {
  kBasic,        // an Authorization: Basic header (the default)
  kApiKeyQuery,  // ?api_key=user:password in every URL, as the seed does;
                 // the password then travels in URLs, which proxies may log
};
std::string_view AriAuthName(AriAuth auth);  // "basic" | "api_key"

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };
std::string_view LogLevelName(LogLevel level);  // "trace" ... "off" (spdlog's)

enum class Transport { kPlain, kTls };

// Where Asterisk's ARI is, parsed from ari.base_url.
struct AriEndpoint {
  Transport transport = Transport::kPlain;
  std::string host;           // without brackets for IPv6
  std::uint16_t port = 8088;  // as written, else 80 / 443
  bool port_written = false;  // whether the base URL spelled the port
  std::string path_prefix;    // before "/ari": "" or e.g. "/pbx1"

  // "host:port" ("[::1]:8088"), or "host" when the URL had no port.
  std::string Authority() const;
  // "http://127.0.0.1:8088/ari" / "https://...": REST calls append "/channels".
  std::string RestBase() const;
  // "ws://127.0.0.1:8088/ari/events" or "wss://...", without a query.
  std::string EventsUrl() const;
  // The WebSocket request target without a query: "/ari/events".
  std::string EventsPath() const;
  // The REST path of a resource: RestPath("asterisk/info") = "/ari/asterisk/info".
  std::string RestPath(std::string_view resource) const;
};

// Accepts http:// and https:// bases, with or without a port, trailing
// slashes or a trailing "/ari"; refuses other schemes, userinfo (credentials
// belong in ari.user / ari.password), queries and fragments.
Result<AriEndpoint> ParseAriBaseUrl(std::string_view url);

struct AriConfig {
  std::string base_url = "http://127.0.0.1:8088";
  std::string user;
  Secret password;
  // Our own application name: the daemon observes, so it must not take the
  // name of the application that controls calls (projector.call_app).
  std::string app = "call-ledger";
  bool subscribe_all = true;  // observer mode: every channel and bridge
  AriAuth auth = AriAuth::kBasic;
  bool verify_tls = true;                        // certificate and host name checks for wss://
  std::optional<std::filesystem::path> ca_file;  // none: the system store
  std::chrono::milliseconds reconnect_initial_ms{500};
  std::chrono::milliseconds reconnect_max_ms{30000};
  std::chrono::milliseconds ping_interval_ms{10000};

  bool operator==(const AriConfig&) const = default;

  Result<AriEndpoint> Endpoint() const { return ParseAriBaseUrl(base_url); }
  Result<std::string> EventsUrl() const;  // Endpoint()->EventsUrl()
  Result<std::string> RestBase() const;   // Endpoint()->RestBase()
  // "app=call-ledger&subscribeAll=true", plus "&api_key=user:password" in
  // kApiKeyQuery mode: then it holds the password, so log it only through
  // RedactUrl.
  std::string EventsQuery() const;
  // "api_key=user:password" (percent-encoded) in kApiKeyQuery mode, else "".
  std::string ApiKeyParam() const;
};

struct LedgerConfig {
  std::filesystem::path dir = "/var/lib/call-ledger/ledger";
  // This PBX's name in the ledger and in PostgreSQL (DESIGN 8). Empty in a
  // default-constructed config; LoadConfig fills in the host name.
  std::string node;
  // Group commit: fsync at most this long after an append; 0: every batch.
  std::chrono::milliseconds sync_interval_ms{5};
  std::size_t queue_frames = 65536;        // bounded ingest queue, in frames
  std::size_t max_frame_bytes = 1u << 20;  // larger frames become `malformed`

  bool operator==(const LedgerConfig&) const = default;
};

struct ProjectorConfig {
  std::string call_app = "call-center";  // the Stasis app the dialplan uses
  std::filesystem::path recordings_dir = "/var/spool/asterisk/recording";

  bool operator==(const ProjectorConfig&) const = default;
};

// Asterisk's CEL log as evidence after gaps (issue 12; docs/operations.md
// sets it up on the PBX, daemon/cel_collector.h reads it).
struct CelConfig {
  // cel_custom's JSON-lines file, e.g. /var/log/asterisk/cel-custom/cel.jsonl.
  // None (an empty value): CEL is not read.
  std::optional<std::filesystem::path> file;
  // A gap's window begins this long before the last record heard.
  std::chrono::milliseconds margin_ms{5000};
  // How long to wait for Asterisk to write the lines up to a window's end.
  std::chrono::milliseconds settle_ms{2000};
  // A window's lines are cut into cel records of at most this many bytes.
  std::size_t max_record_bytes = 1u << 20;

  bool operator==(const CelConfig&) const = default;
};

struct DatabaseConfig {
  // A libpq connection string, "postgresql://user:pass@host/db" or
  // "host=... dbname=... password=...". Required.
  Secret url;
  std::size_t batch_records = 1000;  // ledger records per transaction

  bool operator==(const DatabaseConfig&) const = default;
};

struct HttpConfig {
  std::string listen = "127.0.0.1:8095";  // Asterisk has 8088/8089
  Secret bearer_token;                    // empty: none; required off loopback
  bool allow_loopback_without_token = true;
  // The PBX's IANA time zone: what "today" means for /api/stats and the
  // wallboard. "" = the host's zone (TZ, /etc/timezone, /etc/localtime).
  std::string pbx_timezone;
  std::size_t service_level_seconds = 20;  // "answered within N s"
  // Named limits (server/http_server.h HttpLimits).
  std::size_t max_connections = 512;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds request_timeout_ms{10000};
  std::chrono::milliseconds idle_timeout_ms{60000};
  std::chrono::milliseconds write_timeout_ms{30000};
  std::size_t max_live_clients = 256;
  std::size_t live_queue_messages = 256;
  std::size_t db_workers = 4;
  // /healthz says unhealthy when the call log is further behind.
  std::chrono::milliseconds health_max_lag_ms{30000};

  bool operator==(const HttpConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::kInfo;

  bool operator==(const LogConfig&) const = default;
};

struct DaemonConfig {
  AriConfig ari;
  LedgerConfig ledger;
  ProjectorConfig projector;
  CelConfig cel;
  DatabaseConfig database;
  HttpConfig http;
  LogConfig log;

  // Where each value came from, by key ("ari.base_url" -> "environment
  // variable ARI_URL", "/etc/call-ledger.toml:3", ".env:2 (ARI_USER)");
  // keys not listed have their defaults. Used in messages and Redacted().
  std::map<std::string, std::string, std::less<>> sources;
  // Things worth a line in the start-up log that are not errors (a secret
  // in a file others can read, app mode, TLS checks off, ...).
  std::vector<std::string> warnings;

  // Compares the settings only, not sources or warnings.
  bool operator==(const DaemonConfig& other) const;
};

struct LoadOptions {
  // The TOML file; none: defaults only. A given file must exist.
  std::optional<std::filesystem::path> config_file;
  // The .env file; a given file must exist. None: ".env" in
  // `working_directory` if it exists.
  std::optional<std::filesystem::path> env_file;
  // Where ".env" is looked for; none: the process's current directory.
  std::optional<std::filesystem::path> working_directory;
  // The environment; the daemon passes EnvironmentFromProcess(), tests a map.
  std::map<std::string, std::string> environment;
  // The default for ledger.node; none: gethostname().
  std::optional<std::string> host_name;
};

// Defaults < TOML < .env < environment, then Validate().
Result<DaemonConfig> LoadConfig(const LoadOptions& options);

// Every rule on values: URL schemes, host:port forms, non-empty names and
// directories, ranges, a required database.url, a bearer token for a
// non-loopback http.listen. Reports all problems at once.
Status Validate(const DaemonConfig& config);

// The whole configuration as TOML text, one key per line with where its
// value came from, then the derived URLs and mode as comments; every secret
// is "***". Warnings are not included (print config.warnings).
std::string Redacted(const DaemonConfig& config);

// `url` with the password of any userinfo ("user:***@host") and the values of
// api_key, password, token, access_token and secret query parameters replaced
// by "***". Text that is not a URL comes back unchanged.
std::string RedactUrl(std::string_view url);
// A libpq connection string (a URI, or keyword=value pairs) with the password
// replaced by "***".
std::string RedactConnectionString(std::string_view conninfo);

struct HostPort {
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 0;
};
// "127.0.0.1:8095", "[::1]:8095", "localhost:8095", "0.0.0.0:8095". Port 0
// (any free port) is allowed; a missing port is not.
Result<HostPort> ParseHostPort(std::string_view text);
// localhost, 127.0.0.0/8 and ::1. 0.0.0.0 and :: are all interfaces.
bool IsLoopbackHost(std::string_view host);

// The process's environment (`environ`) as a map.
std::map<std::string, std::string> EnvironmentFromProcess();

// Every key of the TOML layout ("ari.base_url", ...) with its environment
// variable ("" if none), in the order of the sample file.
struct ConfigKey {
  std::string_view key;
  std::string_view env;
  bool secret = false;
};
const std::vector<ConfigKey>& ConfigKeys();

}  // namespace callledger::daemon
