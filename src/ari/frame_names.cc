#include "ari/frame_names.h"

#include <algorithm>
#include <boost/json/parse.hpp>

#include "ari/snapshot_shapes.h"
#include "ari/timestamp.h"

namespace callledger::ari {
namespace json = boost::json;

namespace {

constexpr std::string_view kLocalPrefix = "Local/";

// "Local/101@agents-00000003;2" -> "Local/101@agents-00000003"; nullopt
// for a channel that is not one half of a Local channel.
std::optional<std::string> LocalPairName(std::string_view name) {
  if (!name.starts_with(kLocalPrefix) || name.size() < kLocalPrefix.size() + 3) return std::nullopt;
  const std::string_view half = name.substr(name.size() - 2);
  if (half != ";1" && half != ";2") return std::nullopt;
  return std::string(name.substr(0, name.size() - 2));
}

// "bridge:ID" or "channel:ID" -> "ID".
std::optional<std::string> TargetId(std::string_view uri) {
  for (const std::string_view kind : {"bridge:", "channel:"}) {
    if (uri.starts_with(kind) && uri.size() > kind.size()) {
      return std::string(uri.substr(kind.size()));
    }
  }
  return std::nullopt;
}

void AddChannel(const json::object& channel, std::vector<std::string>& names) {
  names.emplace_back(channel.at("id").get_string());
  if (auto pair = LocalPairName(channel.at("name").get_string())) names.push_back(*pair);
}

void AddBridge(const json::object& bridge, std::vector<std::string>& names) {
  names.emplace_back(bridge.at("id").get_string());
  for (const json::value& member : bridge.at("channels").get_array()) {
    if (member.is_string()) names.emplace_back(member.get_string());
  }
}

}  // namespace

FrameNames ReadFrameNames(std::string_view frame) {
  FrameNames out;
  json::error_code ec;
  const json::value parsed = json::parse(frame, ec);
  if (ec || !parsed.is_object()) return out;
  const json::object& event = parsed.get_object();
  if (const json::value* ts = event.if_contains("timestamp"); ts != nullptr && ts->is_string()) {
    out.time_us = ParseAriTimestamp(ts->get_string());
  }
  for (const auto& [key, value] : event) {
    if (!value.is_object()) continue;
    const json::object& object = value.get_object();
    if (shapes::IsChannelSnapshot(object)) {
      AddChannel(object, out.names);
    } else if (shapes::IsBridgeSnapshot(object)) {
      AddBridge(object, out.names);
    } else if (const json::value* uri = object.if_contains("target_uri");
               uri != nullptr && uri->is_string()) {
      if (auto id = TargetId(uri->get_string())) out.names.push_back(std::move(*id));
    }
  }
  std::erase(out.names, std::string());
  std::sort(out.names.begin(), out.names.end());
  out.names.erase(std::unique(out.names.begin(), out.names.end()), out.names.end());
  return out;
}

}  // namespace callledger::ari
