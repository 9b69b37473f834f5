#include "payload/cel_event.h"

#include <simdjson.h>

#include <limits>

namespace callledger::payload {
namespace dom = simdjson::dom;
namespace {

constexpr int kFractionDigits = 6;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The member `key` of `o` as a string; "" when it is absent or not a string.
std::string StringMember(dom::object o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return std::string();
  return std::string(v);
}

// What HANGUP and BRIDGE_ENTER/EXIT put into eventextra. Anything that is
// not a JSON object there leaves these fields empty.
void ReadExtra(dom::parser& parser, CelEvent* e) {
  if (e->eventextra.empty()) return;
  dom::element root;
  dom::object extra;
  if (parser.parse(e->eventextra).get(root) != simdjson::SUCCESS ||
      root.get_object().get(extra) != simdjson::SUCCESS) {
    return;
  }
  std::int64_t cause = 0;
  if (extra["hangupcause"].get_int64().get(cause) == simdjson::SUCCESS) e->hangupcause = cause;
  e->hangupsource = StringMember(extra, "hangupsource");
  e->dialstatus = StringMember(extra, "dialstatus");
  e->bridge_id = StringMember(extra, "bridge_id");
}

}  // namespace

std::optional<std::int64_t> ParseCelEventTime(std::string_view text) {
  const std::size_t point = text.find('.');
  if (point == std::string_view::npos || point == 0) return std::nullopt;
  const std::string_view seconds = text.substr(0, point);
  const std::string_view fraction = text.substr(point + 1);
  if (fraction.empty() || fraction.size() > kFractionDigits) return std::nullopt;
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000000 - 1;
  std::int64_t s = 0;
  for (char c : seconds) {
    if (!IsDigit(c)) return std::nullopt;
    s = s * 10 + (c - '0');
    if (s > kMaxSeconds) return std::nullopt;
  }
  std::int64_t us = 0;
  for (std::size_t i = 0; i < kFractionDigits; ++i) {
    if (i < fraction.size() && !IsDigit(fraction[i])) return std::nullopt;
    us = us * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  return s * 1000000 + us;
}

struct CelLineDecoder::Impl {
  dom::parser line;
  dom::parser extra;  // eventextra is parsed while the line's document lives
};

CelLineDecoder::CelLineDecoder() : impl_(std::make_unique<Impl>()) {}
CelLineDecoder::~CelLineDecoder() = default;

Result<CelEvent> CelLineDecoder::Decode(std::string_view line) {
  dom::element root;
  if (auto err = impl_->line.parse(line.data(), line.size()).get(root)) {
    return InvalidInput(std::string("CEL line is not valid JSON: ") + simdjson::error_message(err));
  }
  dom::object o;
  if (root.get_object().get(o) != simdjson::SUCCESS) {
    return InvalidInput("CEL line is not a JSON object");
  }
  CelEvent e;
  e.eventtype = StringMember(o, "eventtype");
  std::string_view time;
  if (o["eventtime"].get_string().get(time) == simdjson::SUCCESS) {
    e.eventtime_us = ParseCelEventTime(time);
  }
  e.uniqueid = StringMember(o, "uniqueid");
  e.linkedid = StringMember(o, "linkedid");
  e.channame = StringMember(o, "channame");
  e.appname = StringMember(o, "appname");
  e.appdata = StringMember(o, "appdata");
  e.name = StringMember(o, "name");
  e.num = StringMember(o, "num");
  e.exten = StringMember(o, "exten");
  e.context = StringMember(o, "context");
  e.peer = StringMember(o, "peer");
  e.userdeftype = StringMember(o, "userdeftype");
  e.eventextra = StringMember(o, "eventextra");
  ReadExtra(impl_->extra, &e);
  return e;
}

namespace {

CelEventType TypeOf(std::string_view type) {
  static constexpr std::pair<std::string_view, CelEventType> kTypes[] = {
      {"CHAN_START", CelEventType::kChanStart},
      {"CHAN_END", CelEventType::kChanEnd},
      {"ANSWER", CelEventType::kAnswer},
      {"HANGUP", CelEventType::kHangup},
      {"APP_START", CelEventType::kAppStart},
      {"APP_END", CelEventType::kAppEnd},
      {"BRIDGE_ENTER", CelEventType::kBridgeEnter},
      {"BRIDGE_EXIT", CelEventType::kBridgeExit},
      {"LINKEDID_END", CelEventType::kLinkedIdEnd},
  };
  for (const auto& [name, t] : kTypes) {
    if (name == type) return t;
  }
  return CelEventType::kOther;
}

}  // namespace

std::optional<CelFact> CelFactOf(CelEvent e) {
  if (!e.eventtime_us || *e.eventtime_us < 0) return std::nullopt;
  CelFact f;
  f.type = TypeOf(e.eventtype);
  f.time_us = *e.eventtime_us - *e.eventtime_us % 1000;
  f.uniqueid = std::move(e.uniqueid);
  f.channame = std::move(e.channame);
  f.appname = std::move(e.appname);
  f.appdata = std::move(e.appdata);
  f.name = std::move(e.name);
  f.num = std::move(e.num);
  f.exten = std::move(e.exten);
  f.peer = std::move(e.peer);
  f.bridge_id = std::move(e.bridge_id);
  if (e.hangupcause && *e.hangupcause >= 0 && *e.hangupcause <= 1000) {
    f.hangupcause = static_cast<int>(*e.hangupcause);
  }
  return f;
}

}  // namespace callledger::payload
