// Typed ARI events: what the projector needs from a frame, decoded by
// ari/event_decoder.h. Plain values; every field the frame lacks is empty.
//
// Only the fields the call log depends on are here. The frame itself stays in
// the ledger record, so a later projector version can read more of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace callledger {

// A channel snapshot, as ARI embeds it in events (`channel`, `peer`, ...).
struct ChannelSnapshot {
  std::string id;
  std::string name;
  std::string state;  // "Ring", "Ringing", "Up", "Down", "Busy", ...
  std::string caller_name;
  std::string caller_number;
  std::string connected_number;  // channel.connected.number
  std::string dialplan_exten;
  std::string dialplan_app;  // channel.dialplan.app_name
  std::string dialplan_app_data;
  std::int64_t creation_us = 0;  // creationtime as UTC µs (0 if absent)
};

struct BridgeSnapshot {
  std::string id;
  std::vector<std::string> channels;  // member channel ids
  std::int64_t creation_us = 0;       // creationtime as UTC µs (0 if absent)
};

struct AriEvent {
  std::string type;
  std::int64_t time_us = 0;  // `timestamp`; 0 if absent
  std::string application;

  std::optional<ChannelSnapshot> channel;  // the subject
  std::optional<ChannelSnapshot> peer;     // Dial
  std::optional<ChannelSnapshot> caller;   // Dial (absent for ARI originates)
  std::optional<BridgeSnapshot> bridge;

  // StasisStart.
  bool has_args = false;
  std::vector<std::string> args;

  // ChannelDialplan.
  std::string dialplan_app;
  std::string dialplan_app_data;

  // ChannelVarset.
  std::string variable;
  std::string value;

  // Dial.
  std::string dialstatus;

  // ChannelDestroyed / ChannelHangupRequest.
  std::optional<int> cause;
  std::string cause_txt;
  bool soft = false;

  // Recording*: name, format, target ("bridge:ID" / "channel:ID").
  std::string recording_name;
  std::string recording_format;
  std::string recording_target;
};

// The body of a `reconcile` record: what Asterisk said was live.
struct ReconcileSnapshot {
  std::vector<ChannelSnapshot> channels;
  std::vector<BridgeSnapshot> bridges;
};

}  // namespace callledger
