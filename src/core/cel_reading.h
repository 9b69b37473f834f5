// What a window of CEL lines says about each channel it names: the reading
// the healing rules take their facts from (core/projector_cel.cc,
// docs/projection.md "Healing from CEL"). Pure functions of the lines.
//
// CEL has no hangup request and no StasisEnd of its own: Asterisk writes
// a channel's APP_END (Stasis), HANGUP and CHAN_END when it destroys the
// channel, which on an overloaded PBX trails the hang-up by seconds (the
// p-burst-80 capture: up to 2.3 s), like ARI's ChannelDestroyed. The
// moment a bridged call was hung up shows as the call channel leaving its
// last bridge (BRIDGE_EXIT), which Asterisk writes at once; CelEnd takes
// it when nothing but the channel's end follows it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cel_evidence.h"

namespace callledger::fold {

// The first moment a channel shared a bridge with another party that was
// Up (an Announcer, Recorder or Snoop channel is not a party).
struct CelConnection {
  std::int64_t seen_us = 0;
  std::string party;  // the party's uniqueid; "name:<channame>" when no line gave its id
  // Whether the window showed the party's answer (or that it was created
  // in the window and had not answered): else its Up is assumed, as a
  // channel already in a bridge when the window began.
  bool party_up_seen = false;
};

struct CelChannel {
  std::string id;
  std::string name;
  std::int64_t first_us = 0;   // its first line in the window
  std::int64_t last_us = 0;    // its last line
  std::int64_t start_us = 0;   // CHAN_START; 0 when before the window
  std::int64_t answer_us = 0;  // its first ANSWER; 0 if none
  std::int64_t hangup_us = 0;  // HANGUP; 0 if none
  std::optional<int> cause;    // HANGUP's hangupcause
  bool ended = false;          // HANGUP or CHAN_END seen
  // Its first entry into Stasis(call app, ...): the moment, the arguments
  // after the app name, and the caller id and extension on that line.
  std::int64_t stasis_start_us = 0;
  std::vector<std::string> stasis_args;
  std::string caller_name, caller_num, exten;
  // Its last APP_END of Stasis(call app), when no entry followed it: it
  // left the application then (ARI's StasisEnd, but written when the
  // channel is destroyed).
  std::int64_t stasis_end_us = 0;
  // Its last BRIDGE_EXIT, when it entered no bridge after it, and whether
  // anything but its end (APP_END of Stasis, HANGUP, CHAN_END,
  // LINKEDID_END) followed.
  std::int64_t last_exit_us = 0;
  bool active_after_exit = false;
  std::string mixmonitor;  // its first MixMonitor's file argument, if one started
  std::int64_t mixmonitor_us = 0;
  std::optional<CelConnection> connection;
};

// Reads the facts (in file order; stable-sorted by time here) of one
// window. Channels by uniqueid.
std::map<std::string, CelChannel> ReadCelChannels(const std::vector<CelFact>& facts,
                                                  std::string_view call_app);

// When the channel's call ended, as CEL shows it: the earliest of its
// Stasis exit, its HANGUP and (when only its end followed) its last bridge
// exit; nullopt when the window does not show it ending (no HANGUP, and no
// Stasis exit after its last entry).
std::optional<std::int64_t> CelEnd(const CelChannel& channel);

// When the channel left its last bridge, when nothing but its end
// followed in the window (and it entered none after); nullopt otherwise.
std::optional<std::int64_t> CelLastExit(const CelChannel& channel);

// Asterisk's own channels in bridges (Announcer/, Recorder/, Snoop/): not
// parties to a call.
bool IsInternalChannelName(std::string_view name);

}  // namespace callledger::fold
