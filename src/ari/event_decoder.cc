#include "ari/event_decoder.h"

#include <simdjson.h>

#include <cstring>

#include "ari/snapshot_json.h"
#include "ari/timestamp.h"

namespace callledger::ari {
namespace dom = simdjson::dom;
static_assert(EventDecoder::kPadding >= simdjson::SIMDJSON_PADDING);
namespace {

// Fills `slot` from a channel object, or leaves it empty.
void ChannelSlot(dom::element e, AriTimestampParser& timestamps,
                 std::optional<ChannelSnapshot>* slot) {
  dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return;
  if (!slot->has_value()) slot->emplace();
  DecodeChannelInto(o, timestamps, &**slot);
  if ((*slot)->id.empty()) slot->reset();
}

}  // namespace

struct EventDecoder::Impl {
  dom::parser parser;
  AriTimestampParser timestamps;
};

EventDecoder::EventDecoder() : impl_(std::make_unique<Impl>()) {}
EventDecoder::~EventDecoder() = default;

Result<AriEvent> EventDecoder::DecodeEvent(std::string_view frame) {
  AriEvent e;
  RETURN_IF_ERROR(DecodeEventInto(frame, &e));
  return e;
}

Status EventDecoder::DecodeEventInto(std::string_view frame, AriEvent* e, Padding padding) {
  dom::element root;
  const bool copy = padding == Padding::kNone;
  if (auto err = impl_->parser.parse(frame.data(), frame.size(), copy).get(root)) {
    return InvalidInput(std::string("frame is not valid JSON: ") + simdjson::error_message(err));
  }
  dom::object o;
  if (root.get_object().get(o) != simdjson::SUCCESS)
    return InvalidInput("frame is not a JSON object");
  AriTimestampParser& timestamps = impl_->timestamps;
  // Reset, keeping the buffers.
  e->type.clear();
  e->time_us = 0;
  e->application.clear();
  const bool had_channel = e->channel.has_value(), had_peer = e->peer.has_value(),
             had_caller = e->caller.has_value();
  e->bridge.reset();
  e->has_args = false;
  e->args.clear();
  e->dialplan_app.clear();
  e->dialplan_app_data.clear();
  e->variable.clear();
  e->value.clear();
  e->dialstatus.clear();
  e->cause.reset();
  e->cause_txt.clear();
  e->soft = false;
  e->recording_name.clear();
  e->recording_format.clear();
  e->recording_target.clear();
  bool seen_channel = false, seen_peer = false, seen_caller = false;
  for (dom::key_value_pair kv : o) {
    const std::string_view k = kv.key;
    switch (k.size()) {
      case 4:
        if (IsKey(k, "type")) {
          AssignString(kv.value, &e->type);
        } else if (IsKey(k, "peer")) {
          ChannelSlot(kv.value, timestamps, &e->peer);
          seen_peer = e->peer.has_value();
        } else if (IsKey(k, "args")) {
          dom::array args;
          if (kv.value.get_array().get(args) != simdjson::SUCCESS) break;
          e->has_args = true;
          for (dom::element a : args) e->args.emplace_back(StringOrEmpty(a));
        } else if (IsKey(k, "soft")) {
          bool soft = false;
          if (kv.value.get_bool().get(soft) == simdjson::SUCCESS) e->soft = soft;
        }
        break;
      case 5:
        if (IsKey(k, "value")) {
          AssignString(kv.value, &e->value);
        } else if (IsKey(k, "cause")) {
          std::int64_t cause = 0;
          if (kv.value.get_int64().get(cause) == simdjson::SUCCESS)
            e->cause = static_cast<int>(cause);
        }
        break;
      case 6:
        if (IsKey(k, "caller")) {
          ChannelSlot(kv.value, timestamps, &e->caller);
          seen_caller = e->caller.has_value();
        } else if (IsKey(k, "bridge")) {
          dom::object b;
          if (kv.value.get_object().get(b) == simdjson::SUCCESS)
            e->bridge = DecodeBridge(b, timestamps);
        }
        break;
      case 7:
        if (IsKey(k, "channel")) {
          ChannelSlot(kv.value, timestamps, &e->channel);
          seen_channel = e->channel.has_value();
        }
        break;
      case 8:
        if (IsKey(k, "variable")) AssignString(kv.value, &e->variable);
        break;
      case 9:
        if (IsKey(k, "timestamp")) {
          e->time_us = timestamps.Parse(StringOrEmpty(kv.value)).value_or(0);
        } else if (IsKey(k, "cause_txt")) {
          AssignString(kv.value, &e->cause_txt);
        } else if (IsKey(k, "recording")) {
          dom::object rec;
          if (kv.value.get_object().get(rec) != simdjson::SUCCESS) break;
          for (dom::key_value_pair f : rec) {
            if (IsKey(f.key, "name"))
              AssignString(f.value, &e->recording_name);
            else if (IsKey(f.key, "format"))
              AssignString(f.value, &e->recording_format);
            else if (IsKey(f.key, "target_uri"))
              AssignString(f.value, &e->recording_target);
          }
        }
        break;
      case 10:
        if (IsKey(k, "dialstatus")) AssignString(kv.value, &e->dialstatus);
        break;
      case 11:
        if (IsKey(k, "application")) AssignString(kv.value, &e->application);
        break;
      case 12:
        if (IsKey(k, "dialplan_app")) AssignString(kv.value, &e->dialplan_app);
        break;
      case 17:
        if (IsKey(k, "dialplan_app_data")) AssignString(kv.value, &e->dialplan_app_data);
        break;
      default:
        break;
    }
  }
  // Slots a previous event filled but this one lacks are emptied.
  if (had_channel && !seen_channel) e->channel.reset();
  if (had_peer && !seen_peer) e->peer.reset();
  if (had_caller && !seen_caller) e->caller.reset();
  if (e->type.empty()) return InvalidInput("frame has no \"type\"");
  return Status::Ok();
}

bool LeadingStringField(std::string_view frame, std::string_view key, std::string_view* value) {
  constexpr int kMaxMembers = 4;
  std::size_t i = 0;
  if (frame.empty() || frame[0] != '{') return false;
  ++i;
  // Reads a string without escapes starting at frame[i] == '"'. memchr
  // finds the closing quote many bytes at a time (a fold asks this of a
  // third of its records).
  auto read_string = [&](std::string_view* out) {
    if (i >= frame.size() || frame[i] != '"') return false;
    const std::size_t start = ++i;
    const char* begin = frame.data() + start;
    const auto* quote = static_cast<const char*>(std::memchr(begin, '"', frame.size() - start));
    if (quote == nullptr ||
        std::memchr(begin, '\\', static_cast<std::size_t>(quote - begin)) != nullptr)
      return false;
    *out = std::string_view(begin, static_cast<std::size_t>(quote - begin));
    i = start + out->size() + 1;
    return true;
  };
  for (int member = 0; member < kMaxMembers; ++member) {
    std::string_view k, v;
    if (!read_string(&k)) return false;
    if (i >= frame.size() || frame[i] != ':') return false;
    ++i;
    if (!read_string(&v)) return false;  // not a string value: stop looking
    if (k == key) {
      *value = v;
      return true;
    }
    if (i >= frame.size() || frame[i] != ',') return false;
    ++i;
  }
  return false;
}

}  // namespace callledger::ari
