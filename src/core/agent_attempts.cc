#include "core/agent_attempts.h"

#include <cstdio>

#include "core/utc_time.h"

namespace callledger {
namespace {

void AppendString(std::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[7];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;  // UTF-8 passes as it is
    }
  }
  out += '"';
}

void AppendKey(std::string_view key, std::string& out) {
  AppendString(key, out);
  out += ':';
}

}  // namespace

std::string AgentsTriedJson(const std::vector<AgentAttempt>& attempts, TimePrecision precision) {
  std::string out = "[";
  for (const AgentAttempt& a : attempts) {
    if (out.size() > 1) out += ',';
    out += '{';
    AppendKey(agent_keys::kEndpoint, out);
    AppendString(a.endpoint, out);
    out += ',';
    AppendKey(agent_keys::kOutcome, out);
    AppendString(LegOutcomeName(a.outcome), out);
    out += ',';
    AppendKey(agent_keys::kRungAt, out);
    if (a.rung_us == 0) {
      out += "null";
    } else {
      AppendString(precision == TimePrecision::kMillis ? FormatUtcMillis(a.rung_us)
                                                       : FormatUtcMicros(a.rung_us),
                   out);
    }
    out += ',';
    AppendKey(agent_keys::kChannelId, out);
    AppendString(a.channel_id, out);
    out += '}';
  }
  return out + "]";
}

std::string AgentsTriedText(const std::vector<AgentAttempt>& attempts) {
  std::string out;
  for (const AgentAttempt& a : attempts) {
    if (!out.empty()) out += "; ";
    out += a.endpoint.empty() ? a.channel_id : a.endpoint;
    out += ' ';
    out += LegOutcomeName(a.outcome);
  }
  return out;
}

}  // namespace callledger
