// The one rule for names an operator gives and other places repeat: a
// node's name (NODE_NAME, the call log's `node`), the ARI application's.
// Letters, digits, '.', '_' and '-'; 1 to 253 characters (a host name's
// limit). The daemon's configuration refuses anything else, and the API's
// `node=` takes nothing else.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string_view>

namespace callledger {

inline constexpr std::size_t kMaxPlainNameChars = 253;

inline bool IsPlainNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

inline bool IsPlainName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxPlainNameChars &&
         std::all_of(name.begin(), name.end(), IsPlainNameChar);
}

}  // namespace callledger
