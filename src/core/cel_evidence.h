// CEL evidence as the projector reads it: the lines of one `cel` record
// (payload/cel.h), each reduced to the facts the healing rules use
// (docs/projection.md, "Healing from CEL"). The record's lines stay in the
// ledger byte for byte; this is only their reading, made by the record
// decoder (projection/record_projector.h).
//
// CEL's eventtime has microseconds; ARI stamps the same instant cut to
// milliseconds. Times here are cut the same way, so that a moment read from
// CEL equals the one ARI would have stamped for the same event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace callledger {

enum class CelEventType : std::uint8_t {
  kOther,  // read by no rule (DTMF, LINKEDID_END, USER_DEFINED, ...)
  kChanStart,
  kChanEnd,
  kAnswer,
  kHangup,
  kAppStart,
  kAppEnd,
  kBridgeEnter,
  kBridgeExit,
  kLinkedIdEnd,
};

// One CEL line. Lines without a readable eventtime are not facts.
struct CelFact {
  CelEventType type = CelEventType::kOther;
  std::int64_t time_us = 0;        // eventtime, cut to milliseconds
  std::string uniqueid;            // the channel's id (ARI's channel id)
  std::string channame;            // the channel's name
  std::string appname;             // APP_START/APP_END: "Stasis", "MixMonitor", ...
  std::string appdata;             // their arguments, as the dialplan gave them
  std::string name, num;           // caller id name and number
  std::string exten;               // dialplan extension
  std::string peer;                // BRIDGE_ENTER: the names of the channels already in the bridge
  std::string bridge_id;           // BRIDGE_ENTER, BRIDGE_EXIT
  std::optional<int> hangupcause;  // HANGUP
};

// One `cel` record: a part of a gap's window.
struct CelEvidence {
  std::int64_t since_us = 0;
  std::int64_t until_us = 0;
  bool last_part = true;
  std::vector<CelFact> facts;  // in file order
};

}  // namespace callledger
