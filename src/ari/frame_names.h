// What one ARI frame says about who it is about, for a simulated PBX
// restart (restart_plan.h): the channels and bridges it names, and its
// timestamp. No I/O; a pure function of the frame's bytes.
//
// A frame names:
//   - every channel snapshot among its top-level members (`channel`,
//     `peer`, `caller`, a transfer's `transferee`, ...; snapshot_shapes.h):
//     its id, and for a Local channel, whose two halves `...;1` and `...;2`
//     are one channel to Asterisk, its name without the `;1`/`;2` (the
//     halves appear in different frames, and both die with their PBX);
//   - every bridge snapshot among its top-level members: its id and the ids
//     in its `channels`;
//   - the channel or bridge of a top-level object's `target_uri`
//     (`channel:ID`, `bridge:ID`: recordings and playbacks).
// Endpoints' `channel_ids` are not names: an endpoint outlives its calls.
// A frame that is not a JSON object names nothing and has no time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callledger::ari {

struct FrameNames {
  std::optional<std::int64_t> time_us;  // its `timestamp` as UTC µs, if readable
  // Channel and bridge ids, and Local channel names ("Local/...", which no
  // id begins with); sorted, without repeats.
  std::vector<std::string> names;
};

FrameNames ReadFrameNames(std::string_view frame);

}  // namespace callledger::ari
