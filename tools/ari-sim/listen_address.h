// ari-sim's --listen HOST:PORT, loopback only.
//
// ari-sim serves recorded PBX traffic and fixed demo credentials, so it never
// listens beyond the host: 127.0.0.0/8 and ::1 are accepted, anything else is
// refused with kInvalidInput and a message that says why. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace callledger::arisim {

struct ListenAddress {
  std::string host = "127.0.0.1";  // a numeric address
  std::uint16_t port = 8088;       // Asterisk's default http.conf port; 0 = any free
  bool ipv6 = false;
};

// "127.0.0.1:8088", "[::1]:0", "localhost:8088" (read as 127.0.0.1).
Result<ListenAddress> ParseListenAddress(std::string_view text);

// "127.0.0.1:8088" / "[::1]:8088".
std::string FormatHostPort(const std::string& host, bool ipv6, std::uint16_t port);

}  // namespace callledger::arisim
