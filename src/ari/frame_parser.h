// One ARI WebSocket frame (bytes) to a typed summary. No I/O.
//
// The summary carries what the ledger indexes and the projector keys on; the
// full frame stays in the record's payload. Every field the frame lacks is
// left empty. Unknown event types are fine: they are summarised like any
// other object.
//
// Errors (always kInvalidInput, with a message fit for a `malformed` record's
// reason): larger than FrameLimits::max_frame_bytes, empty, not valid UTF-8,
// not valid JSON, nested deeper than FrameLimits::max_depth, not an object,
// no `type`, `type` not a string. No exception escapes.
//
// Thread safety: a FrameParser holds a reusable simdjson parser and buffers;
// use one per thread. ParseFrame() (the free function) uses a thread_local
// parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace callledger::ari {

struct FrameLimits {
  std::size_t max_frame_bytes = 1 << 20;  // 1 MiB
  std::size_t max_depth = 64;             // real ARI frames nest about 4 deep
};

struct FrameSummary {
  std::string type;                           // ARI `type`
  std::optional<std::int64_t> event_time_us;  // `timestamp` as UTC µs
  std::string asterisk_id;
  std::string application;

  // Every channel the event mentions, without duplicates: the `channel`
  // object's id first when present, then the others (peer, caller,
  // transferee, replace_channel, ...) in document order. A top-level object is
  // a channel when it has an `id` and channel fields (`state`, `caller`,
  // `dialplan`); `target_uri: "channel:ID"` counts too.
  std::vector<std::string> channel_ids;
  // Every bridge mentioned: objects with `id` and `technology`/`bridge_type`,
  // `destination_bridge` ids and `target_uri: "bridge:ID"`.
  std::vector<std::string> bridge_ids;

  // Channel name and creation time of the `channel` object, if any.
  std::string channel_name;
  std::optional<std::int64_t> channel_creation_us;

  // The Stasis arguments, when the frame shows a channel entering Stasis:
  // `StasisStart.args`, or the comma-separated `dialplan_app_data` of a
  // `ChannelDialplan` whose `dialplan_app` is `Stasis` (the first element,
  // the application name, goes to stasis_app and is not an argument).
  bool has_stasis_args = false;
  std::string stasis_app;
  std::vector<std::string> stasis_args;

  // ChannelVarset.
  std::string variable;
  std::string value;

  // Ids that name a call, for the ledger's call index: later Stasis arguments
  // that look like channel ids (an agent leg's ["agent", <call channel id>]
  // links it to its call); otherwise a non-empty Stasis args[0]; a non-empty
  // ChannelVarset CALL_ID value.
  std::vector<std::string> call_ids;
};

class FrameParser {
 public:
  explicit FrameParser(FrameLimits limits = {});
  ~FrameParser();
  FrameParser(const FrameParser&) = delete;
  FrameParser& operator=(const FrameParser&) = delete;

  Result<FrameSummary> Parse(std::string_view frame);
  const FrameLimits& limits() const { return limits_; }

 private:
  struct Impl;
  FrameLimits limits_;
  std::unique_ptr<Impl> impl_;
};

// Convenience: parse with default limits on a thread_local FrameParser.
Result<FrameSummary> ParseFrame(std::string_view frame);

// True for Asterisk uniqueid-shaped strings: digits '.' digits
// (e.g. "1795684558.4").
bool LooksLikeChannelId(std::string_view s);

}  // namespace callledger::ari
