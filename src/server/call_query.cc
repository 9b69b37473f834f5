#include "server/call_query.h"

#include <algorithm>
#include <cctype>

#include <charconv>
#include <set>

#include "core/plain_name.h"
#include "core/utc_time.h"

namespace callledger::server {
namespace {

constexpr std::size_t kMaxAgentChars = 80;

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Status Bad(std::string_view parameter, std::string_view reason) {
  return InvalidInput(std::string(parameter) + ": " + std::string(reason));
}

std::string Base64Url(std::string_view bytes) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kBase64Url[(acc << (6 - bits)) & 0x3f];
  return out;
}

// Lenient about trailing bits; DecodeCursor re-encodes to reject those.
std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const auto v = kBase64Url.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

void PutBigEndian(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
std::uint64_t GetBigEndian(std::string_view in, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

}  // namespace

Result<bool> ParseBoolParam(std::string_view name, const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  return Bad(name, "must be true or false");
}

Result<std::int64_t> ParseIntParam(std::string_view name, const std::string& v, std::int64_t min,
                                   std::int64_t max) {
  std::int64_t n = 0;
  const char* end = v.data() + v.size();
  const auto [ptr, ec] = std::from_chars(v.data(), end, n);
  const bool digits_only = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
  if (!digits_only || ec != std::errc() || ptr != end || n < min || n > max) {
    return Bad(name,
               "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return n;
}

Result<std::int64_t> ParseTimeParam(std::string_view name, const std::string& v) {
  const auto us = ParseIsoTimestamp(v);
  if (!us) return Bad(name, "must be an ISO 8601 date-time with an offset or Z");
  return *us;
}

std::string EncodeCursor(const CallCursor& cursor) {
  std::string bytes;
  PutBigEndian(bytes, static_cast<std::uint64_t>(cursor.start_us), 8);
  PutBigEndian(bytes, cursor.call_id.size(), 4);
  bytes += cursor.call_id;
  bytes += cursor.node;
  return Base64Url(bytes);
}

Result<CallCursor> DecodeCursor(std::string_view text) {
  const Status bad = Bad("cursor", "not a cursor this server produced");
  const auto bytes = FromBase64Url(text);
  if (!bytes || bytes->size() < 12) return bad;
  CallCursor c;
  c.start_us = static_cast<std::int64_t>(GetBigEndian(*bytes, 8));
  const std::uint64_t id_size = GetBigEndian(std::string_view(*bytes).substr(8), 4);
  if (id_size > bytes->size() - 12) return bad;
  c.call_id = bytes->substr(12, id_size);
  c.node = bytes->substr(12 + id_size);
  if (c.call_id.empty() || c.node.empty() || !IsQueryableText(c.call_id) ||
      !IsQueryableText(c.node) || EncodeCursor(c) != text) {
    return bad;
  }
  return c;
}

bool IsQueryableText(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) return false;
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= text.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF.
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

std::string ParameterOf(const Status& status) {
  const auto colon = status.message().find(": ");
  return colon == std::string::npos ? std::string() : status.message().substr(0, colon);
}

Result<std::string> ParseNodeParam(const std::string& name, const std::string& value) {
  if (!IsPlainName(value)) return Bad(name, "must be a node name (letters, digits, '.', '_', '-')");
  return value;
}

Result<CallQuery> ParseCallQuery(const std::map<std::string, std::string>& params) {
  CallQuery q;
  for (const auto& [name, v] : params) {
    if (name == "number") {
      std::string n = v;
      if (n.ends_with('*')) {
        q.number_match = NumberMatch::kPrefix;
        n.pop_back();
      }
      const std::string_view digits = std::string_view(n).substr(n.starts_with('+') ? 1 : 0);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
        return Bad(name, "must be digits with an optional leading '+' and trailing '*'");
      }
      q.number = std::move(n);
    } else if (name == "direction") {
      if (v != "kiruvchi" && v != "chiquvchi") return Bad(name, "must be kiruvchi or chiquvchi");
      q.direction = v;
    } else if (name == "status") {
      for (CallStatus s : {CallStatus::kRinging, CallStatus::kTalking, CallStatus::kFinished}) {
        if (v == CallStatusName(s)) q.status = s;
      }
      if (!q.status) return Bad(name, "must be kelyapti, suhbatda or yakunlandi");
    } else if (name == "answered" || name == "recorded") {
      ASSIGN_OR_RETURN(const bool b, ParseBoolParam(name, v));
      (name == "answered" ? q.answered : q.recorded) = b;
    } else if (name == "since" || name == "until") {
      ASSIGN_OR_RETURN(const std::int64_t t, ParseTimeParam(name, v));
      (name == "since" ? q.since_us : q.until_us) = t;
    } else if (name == "min_duration") {
      // Fits the integer column; larger values could never match anyway.
      ASSIGN_OR_RETURN(q.min_duration_s, ParseIntParam(name, v, 0, 2'147'483'647));
    } else if (name == "evidence") {
      q.evidence = EvidenceFromName(v);
      if (!q.evidence) return Bad(name, "must be ari or cel");
    } else if (name == "end_reason") {
      const std::optional<EndReason> reason = EndReasonFromName(v);
      if (!reason || *reason == EndReason::kNone) {
        return Bad(name, "must be hangup, gap or pbx_restart");
      }
      q.end_reason = reason;
    } else if (name == "node") {
      ASSIGN_OR_RETURN(q.node, ParseNodeParam(name, v));
    } else if (name == "agent") {
      // An extension as Asterisk names the endpoint: any text but control
      // characters, up to kMaxAgentChars bytes.
      const bool control = std::any_of(v.begin(), v.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      });
      if (v.empty() || v.size() > kMaxAgentChars || control) {
        return Bad(name, "must be an agent's extension (1 to " + std::to_string(kMaxAgentChars) +
                             " characters, no control characters)");
      }
      q.agent = v;
    } else if (name == "limit") {
      ASSIGN_OR_RETURN(const std::int64_t limit, ParseIntParam(name, v, 1, kMaxLimit));
      q.limit = static_cast<int>(limit);
    } else if (name == "cursor") {
      ASSIGN_OR_RETURN(q.after, DecodeCursor(v));
    } else {
      return Bad(name, "unknown parameter");
    }
  }
  return q;
}

}  // namespace callledger::server
