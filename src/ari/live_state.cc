#include "ari/live_state.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "ari/snapshot_shapes.h"

namespace callledger::ari {
namespace json = boost::json;

namespace {

using shapes::IsBridgeSnapshot;
using shapes::IsChannelSnapshot;

std::string IdOf(const json::object& object) { return std::string(object.at("id").get_string()); }

struct Entry {
  std::uint64_t first_seen = 0;
  json::object snapshot;
};
using Table = std::map<std::string, Entry>;

std::vector<const Table::value_type*> Ordered(const Table& table) {
  std::vector<const Table::value_type*> out;
  out.reserve(table.size());
  for (const auto& entry : table) out.push_back(&entry);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return a->second.first_seen < b->second.first_seen;
  });
  return out;
}

std::string ArrayJson(const Table& table) {
  json::array array;
  array.reserve(table.size());
  for (const auto* entry : Ordered(table)) array.emplace_back(entry->second.snapshot);
  return json::serialize(array);
}

std::vector<std::string> Ids(const Table& table) {
  std::vector<std::string> out;
  for (const auto* entry : Ordered(table)) out.push_back(entry->first);
  return out;
}

std::optional<std::string> OneJson(const Table& table, const std::string& id) {
  const auto it = table.find(id);
  if (it == table.end()) return std::nullopt;
  return json::serialize(it->second.snapshot);
}

}  // namespace

struct LiveState::Tables {
  Table channels;
  Table bridges;
  std::set<std::string> destroyed_channels;
  std::set<std::string> destroyed_bridges;
  std::uint64_t next_ordinal = 0;

  void Upsert(Table& table, const std::set<std::string>& destroyed, const json::object& snapshot) {
    std::string id = IdOf(snapshot);
    if (destroyed.contains(id)) return;
    auto it = table.find(id);
    if (it == table.end()) {
      table.emplace(std::move(id), Entry{next_ordinal++, snapshot});
    } else {
      it->second.snapshot = snapshot;
    }
  }
};

LiveState::LiveState() : tables_(std::make_unique<Tables>()) {}
LiveState::~LiveState() = default;
LiveState::LiveState(const LiveState& other)
    : tables_(std::make_unique<Tables>(*other.tables_)), frames_applied_(other.frames_applied_) {}
LiveState& LiveState::operator=(const LiveState& other) {
  if (this != &other) {
    tables_ = std::make_unique<Tables>(*other.tables_);
    frames_applied_ = other.frames_applied_;
  }
  return *this;
}
// A moved-from state is empty again, not hollow: it stays usable.
LiveState::LiveState(LiveState&& other) noexcept
    : tables_(std::exchange(other.tables_, std::make_unique<Tables>())),
      frames_applied_(std::exchange(other.frames_applied_, 0)) {}
LiveState& LiveState::operator=(LiveState&& other) noexcept {
  if (this != &other) {
    tables_ = std::exchange(other.tables_, std::make_unique<Tables>());
    frames_applied_ = std::exchange(other.frames_applied_, 0);
  }
  return *this;
}

void LiveState::Apply(std::string_view frame) {
  ++frames_applied_;
  json::error_code ec;
  json::value parsed = json::parse(frame, ec);
  if (ec || !parsed.is_object()) return;
  const json::object& event = parsed.get_object();
  const json::value* type_value = event.if_contains("type");
  const std::string_view type = type_value != nullptr && type_value->is_string()
                                    ? std::string_view(type_value->get_string())
                                    : std::string_view();

  Tables& t = *tables_;
  for (const auto& [key, value] : event) {
    if (!value.is_object()) continue;
    const json::object& object = value.get_object();
    if (IsChannelSnapshot(object)) {
      if (type == "ChannelDestroyed" && key == "channel") {
        const std::string id = IdOf(object);
        t.channels.erase(id);
        t.destroyed_channels.insert(id);
      } else {
        t.Upsert(t.channels, t.destroyed_channels, object);
      }
    } else if (IsBridgeSnapshot(object)) {
      if (type == "BridgeDestroyed" && key == "bridge") {
        const std::string id = IdOf(object);
        t.bridges.erase(id);
        t.destroyed_bridges.insert(id);
      } else {
        t.Upsert(t.bridges, t.destroyed_bridges, object);
      }
    }
  }
}

std::string LiveState::ChannelsJson() const { return ArrayJson(tables_->channels); }
std::string LiveState::BridgesJson() const { return ArrayJson(tables_->bridges); }

std::optional<std::string> LiveState::ChannelJson(const std::string& id) const {
  return OneJson(tables_->channels, id);
}

std::optional<std::string> LiveState::BridgeJson(const std::string& id) const {
  return OneJson(tables_->bridges, id);
}

std::vector<std::string> LiveState::ChannelIds() const { return Ids(tables_->channels); }
std::vector<std::string> LiveState::BridgeIds() const { return Ids(tables_->bridges); }

}  // namespace callledger::ari
