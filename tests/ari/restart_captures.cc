#include "restart_captures.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <map>

#include "ari/timestamp.h"
#include "support/fixtures.h"

namespace callledger::testing {
namespace json = boost::json;

namespace {

// The channel a frame is about, when it enters Stasis as a call (not as an
// agent leg): StasisStart's args, or the ChannelDialplan into Stasis.
std::string EnteringCall(const json::object& event) {
  const std::string_view type = event.at("type").as_string();
  const json::value* channel = event.if_contains("channel");
  if (channel == nullptr || !channel->is_object()) return "";
  const std::string id(channel->as_object().at("id").as_string());
  if (type == "StasisStart") {
    const json::array& args = event.at("args").as_array();
    const bool agent = !args.empty() && args[0].is_string() && args[0].as_string() == "agent";
    return agent || event.at("application").as_string() != "call-center" ? "" : id;
  }
  if (type == "ChannelDialplan" && event.at("dialplan_app").as_string() == "Stasis") {
    const std::string_view data = event.at("dialplan_app_data").as_string();
    if (data.starts_with("call-center,") && !data.starts_with("call-center,agent,")) return id;
  }
  return "";
}

}  // namespace

std::filesystem::path CelCapture(const std::string& name) {
  return SourceDir() / "fixtures" / "asterisk-cel" / name;
}

Capture ReadCapture(const std::string& name) {
  Capture capture;
  std::int64_t latest = 0;
  for (auto& line : ReadLines(CelCapture(name))) {
    if (line.empty()) continue;
    const json::value event = json::parse(line);
    const auto t = ari::ParseAriTimestamp(event.at("timestamp").as_string());
    REQUIRE(t.has_value());
    latest = std::max(latest, *t);
    capture.clock.push_back(latest);
    capture.ids.push_back(IdsOf(line));
    capture.frames.push_back(std::move(line));
  }
  REQUIRE(!capture.frames.empty());
  return capture;
}

std::vector<std::string_view> Views(const std::vector<std::string>& lines) {
  return std::vector<std::string_view>(lines.begin(), lines.end());
}

std::set<std::string> IdsOf(std::string_view frame) {
  std::set<std::string> ids;
  const json::value event = json::parse(frame);
  for (const auto& [key, value] : event.as_object()) {
    if (!value.is_object()) continue;
    const json::object& object = value.as_object();
    if (const json::value* id = object.if_contains("id"); id != nullptr && id->is_string()) {
      ids.emplace(id->as_string());
    }
    if (const json::value* members = object.if_contains("channels");
        members != nullptr && members->is_array()) {
      for (const auto& m : members->as_array()) ids.emplace(m.as_string());
    }
    if (const json::value* uri = object.if_contains("target_uri");
        uri != nullptr && uri->is_string()) {
      const std::string_view text = uri->as_string();
      ids.emplace(text.substr(text.find(':') + 1));
    }
  }
  return ids;
}

std::set<std::string> IdsUpTo(const Capture& capture, std::size_t count) {
  std::set<std::string> ids;
  for (std::size_t i = 0; i < count; ++i) ids.insert(capture.ids[i].begin(), capture.ids[i].end());
  return ids;
}

std::size_t FramesUpTo(const Capture& capture, std::int64_t time_us) {
  std::size_t count = 0;
  while (count < capture.clock.size() && capture.clock[count] <= time_us) ++count;
  return count;
}

std::vector<std::string> CallsBegunAfter(const Capture& capture, std::int64_t time_us) {
  std::map<std::string, std::size_t> first;  // id -> index of its first frame
  for (std::size_t i = 0; i < capture.frames.size(); ++i) {
    for (const auto& id : capture.ids[i]) first.try_emplace(id, i);
  }
  std::vector<std::string> calls;
  for (const auto& frame : capture.frames) {
    const std::string call = EnteringCall(json::parse(frame).as_object());
    if (call.empty() || std::find(calls.begin(), calls.end(), call) != calls.end()) continue;
    if (capture.clock[first.at(call)] > time_us) calls.push_back(call);
  }
  return calls;
}

std::set<std::string> CallsLiveAfter(const Capture& capture, std::size_t count) {
  std::set<std::string> live;
  for (std::size_t i = 0; i < count; ++i) {
    const json::value event = json::parse(capture.frames[i]);
    const std::string call = EnteringCall(event.as_object());
    if (!call.empty()) live.insert(call);
    const std::string_view type = event.at("type").as_string();
    if (type == "ChannelDestroyed" || type == "StasisEnd") {
      live.erase(std::string(event.at("channel").at("id").as_string()));
    }
  }
  return live;
}

}  // namespace callledger::testing
