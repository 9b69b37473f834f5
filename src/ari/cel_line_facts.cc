#include "ari/cel_line_facts.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace callledger::ari {
namespace json = boost::json;

namespace {

// More seconds than this (the year 5138) is not a CEL time; it also keeps
// the µs in range.
constexpr std::int64_t kMaxSeconds = 99'999'999'999;
constexpr std::size_t kMicroDigits = 6;

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::int64_t> ParseSecondsText(std::string_view text) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (!AllDigits(whole) || whole.size() > 11) return std::nullopt;
  if (dot != std::string_view::npos && (!AllDigits(fraction) || fraction.size() > kMicroDigits)) {
    return std::nullopt;
  }
  std::int64_t seconds = 0;
  for (const char c : whole) seconds = seconds * 10 + (c - '0');
  if (seconds > kMaxSeconds) return std::nullopt;
  std::int64_t micros = 0;
  for (std::size_t i = 0; i < kMicroDigits; ++i) {
    micros = micros * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  return seconds * 1'000'000 + micros;
}

std::optional<std::int64_t> EventTime(const json::object& line) {
  const json::value* time = line.if_contains("eventtime");
  if (time == nullptr) return std::nullopt;
  if (time->is_string()) return ParseSecondsText(time->get_string());
  if (time->is_int64() && time->get_int64() >= 0 && time->get_int64() <= kMaxSeconds) {
    return time->get_int64() * 1'000'000;
  }
  return std::nullopt;
}

std::string StringMember(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// `eventextra` is JSON inside a string ({"bridge_id":"...",...}).
std::string BridgeIdOf(const json::object& line) {
  const json::value* extra = line.if_contains("eventextra");
  if (extra == nullptr || !extra->is_string()) return std::string();
  json::error_code ec;
  const json::value inner = json::parse(extra->get_string(), ec);
  if (ec || !inner.is_object()) return std::string();
  return StringMember(inner.get_object(), "bridge_id");
}

}  // namespace

std::optional<std::int64_t> ParseCelEventTime(std::string_view line) {
  json::error_code ec;
  const json::value parsed = json::parse(line, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  return EventTime(parsed.get_object());
}

CelLineFacts ReadCelLineFacts(std::string_view line) {
  CelLineFacts facts;
  json::error_code ec;
  const json::value parsed = json::parse(line, ec);
  if (ec || !parsed.is_object()) return facts;
  const json::object& object = parsed.get_object();
  facts.time_us = EventTime(object);
  facts.uniqueid = StringMember(object, "uniqueid");
  facts.linkedid = StringMember(object, "linkedid");
  facts.bridge_id = BridgeIdOf(object);
  return facts;
}

}  // namespace callledger::ari
