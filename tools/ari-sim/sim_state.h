// What Asterisk would answer on /ari/channels and /ari/bridges after a given
// prefix of a recorded event stream.
//
// LiveState folds frames one at a time. A channel is live from the first
// event that carries its snapshot (`channel`, `peer`, `caller` or any other
// top-level channel object, e.g. a transfer's `transferee`) until its
// ChannelDestroyed; a bridge from its first `bridge`-like object until its
// BridgeDestroyed. Each keeps its last snapshot. Ids are never reused by
// Asterisk, so an event that mentions a destroyed channel or bridge again
// (app streams deliver StasisEnd after ChannelDestroyed) does not revive it.
//
// A frame that is not a JSON object, or has no recognisable snapshots,
// changes nothing: the stream is still served byte for byte, the state just
// ignores it.
//
// Answers are JSON arrays of the last snapshots in the order the channels
// (bridges) were first seen, so two answers for the same prefix are
// byte-identical.
//
// Not thread-safe; ari-sim uses it from its single I/O thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace callledger::arisim {

class LiveState {
 public:
  // Applies one frame (its exact bytes).
  void Apply(std::string_view frame);

  // JSON arrays, as GET /ari/channels and GET /ari/bridges answer.
  std::string ChannelsJson() const;
  std::string BridgesJson() const;
  // One snapshot as JSON, as GET /ari/channels/{id} (/ari/bridges/{id})
  // answers; nullopt when not live.
  std::optional<std::string> ChannelJson(const std::string& id) const;
  std::optional<std::string> BridgeJson(const std::string& id) const;

  // Live ids in answer order, and bridge members, for tests and logs.
  std::vector<std::string> ChannelIds() const;
  std::vector<std::string> BridgeIds() const;
  std::size_t frames_applied() const { return frames_applied_; }

 private:
  struct Entry {
    std::uint64_t first_seen = 0;
    boost::json::object snapshot;
  };
  using Table = std::map<std::string, Entry>;

  void Upsert(Table& table, const std::set<std::string>& destroyed,
              const boost::json::object& snapshot);
  static std::vector<const Table::value_type*> Ordered(const Table& table);
  static std::string ArrayJson(const Table& table);

  Table channels_;
  Table bridges_;
  std::set<std::string> destroyed_channels_;
  std::set<std::string> destroyed_bridges_;
  std::uint64_t next_ordinal_ = 0;
  std::size_t frames_applied_ = 0;
};

// True for a channel snapshot: string `id`, `name` and `state`, and a
// `caller` or `dialplan` object.
bool IsChannelSnapshot(const boost::json::object& object);
// True for a bridge snapshot: string `id`, a `technology` or `bridge_type`,
// and a `channels` array.
bool IsBridgeSnapshot(const boost::json::object& object);

}  // namespace callledger::arisim
