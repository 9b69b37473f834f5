// What one line of Asterisk's CEL log (cel_custom's JSON lines, as
// fixtures/asterisk-cel/README.md shows them) says about when and whom:
// for ari-sim, which writes a capture's CEL lines as their time comes, and
// for a simulated restart (restart_cel.h), which keeps a killed Asterisk's
// lines out of the log. Pure functions of the line's bytes; nothing fails:
// what cannot be read is absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callledger::ari {

// The `eventtime` of a CEL JSON line as UTC µs: a string of digits with an
// optional fraction of 1 to 6 digits ("1796643888.352865"), or a JSON
// integer of seconds. nullopt for anything else.
std::optional<std::int64_t> ParseCelEventTime(std::string_view line);

struct CelLineFacts {
  std::optional<std::int64_t> time_us;  // ParseCelEventTime
  std::string uniqueid;                 // the channel's id (ARI's channel id)
  std::string linkedid;                 // the id of the first channel of its call
  std::string bridge_id;                // `eventextra`'s bridge_id (BRIDGE_ENTER/EXIT)
};

CelLineFacts ReadCelLineFacts(std::string_view line);

}  // namespace callledger::ari
