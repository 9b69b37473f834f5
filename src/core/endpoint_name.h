// The extension (endpoint) a channel name stands for, as a call center
// names its agents (docs/projection.md, "Agents"):
//
//   PJSIP/101-0000000a            -> 101   (technology, endpoint, "-" + hex)
//   SIP/trunk-uz-00000001         -> trunk-uz
//   Local/101@agents-0000001f;1   -> 101   (a Local channel: the extension)
//   IAX2/101-3874                 -> 101
//   DAHDI/1-1                     -> 1
//   name without a "/"            -> the name as it is
//
// Pure functions of the name.
#pragma once

#include <string>
#include <string_view>

namespace callledger::fold {

std::string EndpointOfChannel(std::string_view channel_name);

// Whether the channel is a Local channel (its name starts "Local/"): a
// dialplan construct that stands for no phone of its own.
bool IsLocalChannelName(std::string_view channel_name);

}  // namespace callledger::fold
