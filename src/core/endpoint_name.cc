#include "core/endpoint_name.h"

namespace callledger::fold {
namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

bool IsLocalChannelName(std::string_view channel_name) {
  return channel_name.starts_with("Local/");
}

std::string EndpointOfChannel(std::string_view name) {
  const std::size_t slash = name.find('/');
  if (slash == std::string_view::npos) return std::string(name);
  std::string_view rest = name.substr(slash + 1);
  if (IsLocalChannelName(name)) {
    // Local/<exten>@<context>-<counter>;<half>: the extension it dials.
    return std::string(rest.substr(0, rest.find_first_of("@;")));
  }
  // <tech>/<endpoint>-<unique suffix>: Asterisk appends "-" and a counter
  // (hex for PJSIP and SIP, decimal for IAX2 and DAHDI) to every channel.
  const std::size_t dash = rest.rfind('-');
  if (dash != std::string_view::npos && dash > 0 && dash + 1 < rest.size()) {
    bool counter = true;
    for (char c : rest.substr(dash + 1)) counter = counter && IsHexDigit(c);
    if (counter) rest = rest.substr(0, dash);
  }
  return std::string(rest);
}

}  // namespace callledger::fold
