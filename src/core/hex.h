// Hex encoding of digests for logs, CLIs and JSON output.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace callledger {

std::string ToHex(std::span<const std::uint8_t> bytes);
// Lower- or upper-case hex to bytes; nullopt if odd length or not hex.
std::optional<std::string> FromHex(std::string_view hex);

}  // namespace callledger
