// One line of Asterisk's CEL log, as cel_custom writes it with the JSON
// mapping of docs/operations.md ("[cel.jsonl] format = json"), read into the
// fields the projector needs to heal a gap. The lines themselves are
// evidence and are recorded byte for byte (payload/cel.h); this is only a
// reading of them.
//
//   {"eventtype":"HANGUP","eventtime":"1796643893.391738","uniqueid":"1796643888.5",
//    "linkedid":"1796643888.4","channame":"Local/...;2","appname":"","appdata":"",
//    "name":"","num":"998901234567","exten":"712001122","context":"from-external",
//    "peer":"","eventextra":"{\"hangupcause\":16,\"hangupsource\":\"\",\"dialstatus\":\"\"}",
//    "userdeftype":"","amaflags":3,...}
//
// `eventtime` is "<Unix seconds>.<microseconds>" (cel.conf without
// `dateformat`): UTC, the same clock and instant as ARI's timestamps (ARI
// cuts it to milliseconds). `eventextra` is JSON inside a string; the
// members read from it are those of HANGUP (hangupcause, hangupsource,
// dialstatus) and BRIDGE_ENTER/BRIDGE_EXIT (bridge_id).
//
// CelLineDecoder is one per thread (it reuses its parser's buffers).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/cel_evidence.h"
#include "core/status.h"

namespace callledger::payload {

// "1796643893.391738" as UTC µs; nullopt for anything else (no digits
// before the point, none or more than six after it, a sign, spaces). Fewer
// than six fraction digits are a fraction all the same ("5.25" = 5250000).
std::optional<std::int64_t> ParseCelEventTime(std::string_view text);

// The fields of one line. A field the line lacks, or holds with another
// type than a string, reads as empty (and as nullopt for the optional
// ones); a line is still a CEL line without them.
struct CelEvent {
  std::string eventtype;                     // CHAN_START, APP_START, ANSWER, HANGUP, ...
  std::optional<std::int64_t> eventtime_us;  // nullopt when absent or unreadable
  std::string uniqueid;                      // the channel's id (ARI's channel id)
  std::string linkedid;                      // the id of the call's first channel
  std::string channame;                      // the channel's name
  std::string appname, appdata;              // APP_START/APP_END: "Stasis", "call-center,..."
  std::string name, num;                     // caller id name and number
  std::string exten, context;                // dialplan position
  std::string peer;                          // BRIDGEPEER: the other channels' names
  std::string userdeftype;                   // USER_DEFINED name; DTMF direction
  std::string eventextra;                    // the raw extra JSON text ("" on most events)
  // Read from eventextra when it is a JSON object holding them.
  std::optional<std::int64_t> hangupcause;  // HANGUP: the Q.850 cause
  std::string hangupsource, dialstatus;     // HANGUP
  std::string bridge_id;                    // BRIDGE_ENTER, BRIDGE_EXIT

  friend bool operator==(const CelEvent&, const CelEvent&) = default;
};

// The line as the projector reads it (core/cel_evidence.h): its type, its
// eventtime cut to milliseconds as ARI stamps the same instant, and the
// fields the healing rules use. nullopt for a line without a readable
// eventtime (evidence kept, but of no moment).
std::optional<CelFact> CelFactOf(CelEvent event);

class CelLineDecoder {
 public:
  CelLineDecoder();
  ~CelLineDecoder();
  CelLineDecoder(const CelLineDecoder&) = delete;
  CelLineDecoder& operator=(const CelLineDecoder&) = delete;

  // kInvalidInput when `line` is not valid JSON or not a JSON object;
  // otherwise the fields it has (an eventextra that is not JSON only leaves
  // the fields read from it empty).
  Result<CelEvent> Decode(std::string_view line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callledger::payload
