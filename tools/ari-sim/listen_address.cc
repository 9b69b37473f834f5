#include "ari-sim/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace callledger::arisim {

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  std::string_view host;
  std::string_view port_text;
  ListenAddress out;
  if (text.starts_with("[")) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) {
      return InvalidInput("--listen " + quoted + ": expected [IPV6]:PORT");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    out.ipv6 = true;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return InvalidInput("--listen " + quoted + ": expected HOST:PORT (IPv6 as [::1]:PORT)");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }

  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return InvalidInput("--listen " + quoted + ": the port must be a number from 0 to 65535");
  }
  out.port = static_cast<std::uint16_t>(port);

  const std::string host_string = host == "localhost" ? "127.0.0.1" : std::string(host);
  const std::string refusal = "--listen " + quoted +
                              ": ari-sim listens on loopback only (127.0.0.0/8 or ::1); it "
                              "serves recorded calls with demo credentials";
  if (out.ipv6) {
    in6_addr address{};
    if (inet_pton(AF_INET6, host_string.c_str(), &address) != 1) {
      return InvalidInput("--listen " + quoted + ": not an IPv6 address");
    }
    if (std::memcmp(&address, &in6addr_loopback, sizeof address) != 0) {
      return InvalidInput(refusal);
    }
    out.host = "::1";
  } else {
    in_addr address{};
    if (inet_pton(AF_INET, host_string.c_str(), &address) != 1) {
      return InvalidInput("--listen " + quoted + ": not an IPv4 address (use 127.0.0.1)");
    }
    const auto first_octet = static_cast<unsigned>(ntohl(address.s_addr) >> 24);
    if (first_octet != 127) return InvalidInput(refusal);
    out.host = host_string;
  }
  return out;
}

std::string FormatHostPort(const std::string& host, bool ipv6, std::uint16_t port) {
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace callledger::arisim
