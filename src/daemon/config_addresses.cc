// The daemon configuration's addresses: ARI base URLs, host:port, and
// redacting URLs and connection strings (declared in daemon/config.h).
#include <arpa/inet.h>
#include <netinet/in.h>

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

#include "daemon/config.h"
#include "daemon/config_text.h"

namespace callledger::daemon {
namespace {

using namespace config_detail;  // NOLINT: the config files' shared helpers

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
    ASSIGN_OR_RETURN(out.port, ParsePort(port_text, min_port));
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

}  // namespace

using config_detail::kRedacted;

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
  ASSIGN_OR_RETURN(const AriEndpoint endpoint, Endpoint());
  return endpoint.EventsUrl();
}

Result<std::string> AriConfig::RestBase() const {
  ASSIGN_OR_RETURN(const AriEndpoint endpoint, Endpoint());
  return endpoint.RestBase();
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
  ASSIGN_OR_RETURN(auto parsed, ParseAuthority(text, PortRule::kRequired, 0));
  return HostPort{std::move(parsed.host), *parsed.port};
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

}  // namespace callledger::daemon
