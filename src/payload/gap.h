// The `gap` record: the daemon's statement that frames may be missing
// between two points in time (DESIGN section 4.3). The daemon appends one
// on every (re)connection to ARI, before the frames of that connection, and
// one when its ingest queue overflowed, before the first frame it kept
// again. The projector reads where a gap stands, and which Asterisk process
// its asterisk_info names (AsteriskProcessOf: a PBX restart).
//
// The record: kind `gap`, event_time_us = received_at_us = until_us (the
// daemon's clock), reason = the payload's reason.
//
// The payload, one JSON object written by JsonObjectWriter (json_writer.h),
// members in this order; docs/log_format.md has the same table:
//
//   reason         string   why frames may be missing (GapReasonConnected,
//                           GapReasonOverflow)
//   since_us       integer  UTC µs when the daemon last heard from ARI (the
//                           disconnect, the first dropped frame); 0 when it
//                           cannot know (the daemon just started)
//   until_us       integer  UTC µs when frames flow again
//   lost_frames    integer  overflow gaps only: frames received and dropped
//   asterisk_info  any      (re)connections only: GET /ari/asterisk/info, as
//                           Boost.JSON writes it back (JsonText::Compact);
//                           left out when that body was not JSON
//
// ParseGap accepts exactly these members; anything else is kInvalidInput.
// For every payload EncodeGap writes, ParseGap gives back the same GapPayload
// and EncodeGap of that gives back the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/projector.h"
#include "core/record.h"
#include "core/status.h"
#include "payload/json_text.h"

namespace callledger::payload {

struct GapPayload {
  std::string reason;
  std::int64_t since_us = 0;
  std::int64_t until_us = 0;
  std::optional<std::uint64_t> lost_frames;
  std::optional<JsonText> asterisk_info;

  friend bool operator==(const GapPayload&, const GapPayload&) = default;
};

std::string EncodeGap(const GapPayload& gap);
Result<GapPayload> ParseGap(std::string_view payload);
// The record, ready to append.
RecordDraft GapDraft(const GapPayload& gap);

// Which Asterisk process the info names (GET /ari/asterisk/info:
// system.entity_id, status.startup_time, config.name); nullopt when it is
// not an object or has no startup time (then no restart can be told).
std::optional<AsteriskProcess> AsteriskProcessOf(const JsonText& info);

// "connected to ARI after: <why the previous connection ended>" (the first
// connection's previous end is "daemon started").
std::string GapReasonConnected(std::string_view previous_end);
// "overflow: <lost> frames received but not kept (ingest queue full)".
std::string GapReasonOverflow(std::uint64_t lost);

}  // namespace callledger::payload
