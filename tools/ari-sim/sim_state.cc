#include "ari-sim/sim_state.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace callledger::arisim {
namespace json = boost::json;

namespace {

bool HasString(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  return v != nullptr && v->is_string();
}

bool HasObject(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  return v != nullptr && v->is_object();
}

std::string IdOf(const json::object& object) { return std::string(object.at("id").get_string()); }

}  // namespace

bool IsChannelSnapshot(const json::object& object) {
  return HasString(object, "id") && HasString(object, "name") && HasString(object, "state") &&
         (HasObject(object, "caller") || HasObject(object, "dialplan"));
}

bool IsBridgeSnapshot(const json::object& object) {
  const json::value* channels = object.if_contains("channels");
  return HasString(object, "id") &&
         (object.contains("technology") || object.contains("bridge_type")) && channels != nullptr &&
         channels->is_array();
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

  for (const auto& [key, value] : event) {
    if (!value.is_object()) continue;
    const json::object& object = value.get_object();
    if (IsChannelSnapshot(object)) {
      if (type == "ChannelDestroyed" && key == "channel") {
        const std::string id = IdOf(object);
        channels_.erase(id);
        destroyed_channels_.insert(id);
      } else {
        Upsert(channels_, destroyed_channels_, object);
      }
    } else if (IsBridgeSnapshot(object)) {
      if (type == "BridgeDestroyed" && key == "bridge") {
        const std::string id = IdOf(object);
        bridges_.erase(id);
        destroyed_bridges_.insert(id);
      } else {
        Upsert(bridges_, destroyed_bridges_, object);
      }
    }
  }
}

void LiveState::Upsert(Table& table, const std::set<std::string>& destroyed,
                       const json::object& snapshot) {
  std::string id = IdOf(snapshot);
  if (destroyed.contains(id)) return;
  auto it = table.find(id);
  if (it == table.end()) {
    table.emplace(std::move(id), Entry{next_ordinal_++, snapshot});
  } else {
    it->second.snapshot = snapshot;
  }
}

std::vector<const LiveState::Table::value_type*> LiveState::Ordered(const Table& table) {
  std::vector<const Table::value_type*> out;
  out.reserve(table.size());
  for (const auto& entry : table) out.push_back(&entry);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return a->second.first_seen < b->second.first_seen;
  });
  return out;
}

std::string LiveState::ArrayJson(const Table& table) {
  json::array array;
  array.reserve(table.size());
  for (const auto* entry : Ordered(table)) array.emplace_back(entry->second.snapshot);
  return json::serialize(array);
}

std::string LiveState::ChannelsJson() const { return ArrayJson(channels_); }
std::string LiveState::BridgesJson() const { return ArrayJson(bridges_); }

std::optional<std::string> LiveState::ChannelJson(const std::string& id) const {
  const auto it = channels_.find(id);
  if (it == channels_.end()) return std::nullopt;
  return json::serialize(it->second.snapshot);
}

std::optional<std::string> LiveState::BridgeJson(const std::string& id) const {
  const auto it = bridges_.find(id);
  if (it == bridges_.end()) return std::nullopt;
  return json::serialize(it->second.snapshot);
}

std::vector<std::string> LiveState::ChannelIds() const {
  std::vector<std::string> out;
  for (const auto* entry : Ordered(channels_)) out.push_back(entry->first);
  return out;
}

std::vector<std::string> LiveState::BridgeIds() const {
  std::vector<std::string> out;
  for (const auto* entry : Ordered(bridges_)) out.push_back(entry->first);
  return out;
}

}  // namespace callledger::arisim
