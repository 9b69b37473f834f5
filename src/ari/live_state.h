// What Asterisk would answer on /ari/channels and /ari/bridges after a given
// prefix of a recorded event stream. ari-sim serves these answers over REST;
// `ledger-replay fixture --drop-at` (replay/cut_replay.h) records them as the
// reconcile of a simulated gap. One fold for both, so the two agree byte for
// byte.
//
// LiveState folds frames one at a time. A channel is live from the first
// event that carries its snapshot (`channel`, `peer`, `caller` or any other
// top-level channel object, e.g. a transfer's `transferee`) until its
// ChannelDestroyed; a bridge from its first `bridge`-like object until its
// BridgeDestroyed. Each keeps its last snapshot. Ids are never reused by
// Asterisk, so an event that mentions a destroyed channel or bridge again
// (app streams deliver StasisEnd after ChannelDestroyed) does not revive it.
//
// A channel snapshot is an object with string `id`, `name` and `state`, and
// a `caller` or `dialplan` object; a bridge snapshot one with a string `id`,
// a `technology` or `bridge_type`, and a `channels` array.
//
// A frame that is not a JSON object, or has no recognisable snapshots,
// changes nothing: the stream is still served byte for byte, the state just
// ignores it.
//
// Answers are JSON arrays of the last snapshots in the order the channels
// (bridges) were first seen, each snapshot as Boost.JSON serialises it, so
// two answers for the same prefix are byte-identical.
//
// A value: copyable and movable. Not thread-safe; ari-sim uses it from its
// single I/O thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callledger::ari {

class LiveState {
 public:
  LiveState();
  ~LiveState();
  LiveState(const LiveState& other);
  LiveState& operator=(const LiveState& other);
  LiveState(LiveState&& other) noexcept;
  LiveState& operator=(LiveState&& other) noexcept;

  // Applies one frame (its exact bytes).
  void Apply(std::string_view frame);

  // JSON arrays, as GET /ari/channels and GET /ari/bridges answer.
  std::string ChannelsJson() const;
  std::string BridgesJson() const;
  // One snapshot as JSON, as GET /ari/channels/{id} (/ari/bridges/{id})
  // answers; nullopt when not live.
  std::optional<std::string> ChannelJson(const std::string& id) const;
  std::optional<std::string> BridgeJson(const std::string& id) const;

  // Live ids in answer order, for tests and logs.
  std::vector<std::string> ChannelIds() const;
  std::vector<std::string> BridgeIds() const;
  std::size_t frames_applied() const { return frames_applied_; }

 private:
  // The live and destroyed channels and bridges (Boost.JSON values, kept
  // out of this header so that users do not compile against Boost.JSON).
  struct Tables;

  std::unique_ptr<Tables> tables_;
  std::size_t frames_applied_ = 0;
};

}  // namespace callledger::ari
