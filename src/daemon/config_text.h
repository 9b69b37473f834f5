// Small text helpers shared by the daemon configuration's source files
// (daemon/config*.cc; internal to them).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace callledger::daemon::config_detail {

// What a secret is shown as.
inline constexpr std::string_view kRedacted = "***";

std::string Lower(std::string_view s);
bool IEquals(std::string_view a, std::string_view b);
std::string_view Trim(std::string_view s);
// Letters, digits, '.', '_' and '-'.
bool IsNameChar(char c);
// Quoted for messages and for the TOML-like dump: a TOML basic string.
std::string Quote(std::string_view s);
// RFC 3986 unreserved characters stay; everything else is %XX.
std::string PercentEncode(std::string_view s);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
// Levenshtein distance (for "did you mean ...?").
std::size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace callledger::daemon::config_detail
