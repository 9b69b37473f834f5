#include "replay/synthetic.h"

#include <cstdio>

namespace callledger::replay {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

}  // namespace

std::string WithFreshIds(const std::string& in, std::uint64_t replica) {
  std::string out;
  out.reserve(in.size() + 16);
  std::size_t i = 0;
  while (i < in.size()) {
    const bool boundary = i == 0 || (!IsDigit(in[i - 1]) && in[i - 1] != '.' && !IsHex(in[i - 1]));
    if (boundary && i + 11 < in.size()) {
      std::size_t j = i;
      while (j < in.size() && IsDigit(in[j])) ++j;
      if (j - i == 10 && j + 1 < in.size() && in[j] == '.' && IsDigit(in[j + 1])) {
        const std::uint64_t epoch = std::stoull(in.substr(i, 10)) + replica * 100000;
        out += std::to_string(epoch);
        i = j;
        continue;
      }
      // UUID: 8-4-4-4-12 lower-case hex.
      if (i + 36 <= in.size() && in[i + 8] == '-' && in[i + 13] == '-' && in[i + 18] == '-' &&
          in[i + 23] == '-') {
        bool uuid = true;
        for (std::size_t k = 0; k < 36 && uuid; ++k) {
          if (k == 8 || k == 13 || k == 18 || k == 23) continue;
          uuid = IsHex(in[i + k]);
        }
        if (uuid) {
          char head[9];
          std::snprintf(head, sizeof head, "%08llx", static_cast<unsigned long long>(replica));
          out.append(head, 8);
          out.append(in, i + 8, 28);
          i += 36;
          continue;
        }
      }
    }
    out.push_back(in[i++]);
  }
  return out;
}

}  // namespace callledger::replay
