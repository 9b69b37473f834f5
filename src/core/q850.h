// Q.850 hangup cause codes as Asterisk reports them (ChannelDestroyed and
// ChannelHangupRequest `cause`), and the texts the projector writes into
// `hangup_cause_txt` when an event brings a cause without its text.
//
// The rules read causes by these names (core/call_rules.cc), never as bare
// numbers. Texts are Asterisk's own wording, byte for byte: they end up in
// rows, so adding or changing one changes rows (bump kProjectorVersion).
#pragma once

#include <array>
#include <string_view>
#include <utility>

namespace callledger::q850 {

// Asterisk's AST_CAUSE_NOTDEFINED, not a Q.850 value: no cause is known.
// ChannelDestroyed carries it when the channel went away without one.
inline constexpr int kNotDefined = 0;

inline constexpr int kUnallocatedNumber = 1;
inline constexpr int kNoRouteToDestination = 3;
inline constexpr int kNormalClearing = 16;
inline constexpr int kUserBusy = 17;
inline constexpr int kNoUserResponse = 18;
inline constexpr int kNoAnswer = 19;  // "user alerting, no answer"
inline constexpr int kCallRejected = 21;
inline constexpr int kDestinationOutOfOrder = 27;
inline constexpr int kInvalidNumberFormat = 28;
inline constexpr int kNormalUnspecified = 31;
inline constexpr int kCircuitCongestion = 34;
inline constexpr int kNetworkOutOfOrder = 38;
inline constexpr int kTemporaryFailure = 41;
inline constexpr int kSwitchingEquipmentCongestion = 42;
inline constexpr int kRequestedChannelUnavailable = 44;
inline constexpr int kInterworking = 127;

// The causes with a text of their own: Asterisk's ast_cause2str() wording
// (main/channel.c), which ChannelDestroyed's `cause_txt` carries too.
inline constexpr std::array<std::pair<int, std::string_view>, 16> kTexts{{
    {kUnallocatedNumber, "Unallocated (unassigned) number"},
    {kNoRouteToDestination, "No route to destination"},
    {kNormalClearing, "Normal Clearing"},
    {kUserBusy, "User busy"},
    {kNoUserResponse, "No user responding"},
    {kNoAnswer, "User alerting, no answer"},
    {kCallRejected, "Call Rejected"},
    {kDestinationOutOfOrder, "Destination out of order"},
    {kInvalidNumberFormat, "Invalid number format"},
    {kNormalUnspecified, "Normal, unspecified"},
    {kCircuitCongestion, "Circuit/channel congestion"},
    {kNetworkOutOfOrder, "Network out of order"},
    {kTemporaryFailure, "Temporary failure"},
    {kSwitchingEquipmentCongestion, "Switching equipment congestion"},
    {kRequestedChannelUnavailable, "Requested channel not available"},
    {kInterworking, "Interworking, unspecified"},
}};

// The text of a cause, or empty when the table has none.
constexpr std::string_view Text(int cause) {
  for (const auto& [code, text] : kTexts) {
    if (code == cause) return text;
  }
  return {};
}

}  // namespace callledger::q850
