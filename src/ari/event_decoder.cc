#include "ari/event_decoder.h"

#include <simdjson.h>

#include <cstdio>
#include <cstring>

#include "ari/timestamp.h"

namespace callledger::ari {
namespace dom = simdjson::dom;
static_assert(EventDecoder::kPadding >= simdjson::SIMDJSON_PADDING);
namespace {

// Each object is walked once, member by member (at_key() per field would
// rescan it every time). Keys are told apart by their length first: one
// switch, then one fixed-length comparison, instead of a chain of them.
template <std::size_t N>
bool Is(std::string_view key, const char (&literal)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), literal, N - 1) == 0;
}

std::string_view View(dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? s : std::string_view();
}

// A string member into a reused buffer; anything else clears it.
void SetString(dom::element e, std::string* out) { out->assign(View(e)); }

void DecodeChannelInto(dom::object o, AriTimestampParser& timestamps, ChannelSnapshot* c) {
  c->id.clear();
  c->name.clear();
  c->state.clear();
  c->caller_name.clear();
  c->caller_number.clear();
  c->dialplan_exten.clear();
  c->dialplan_app.clear();
  c->dialplan_app_data.clear();
  c->creation_us = 0;
  for (dom::key_value_pair kv : o) {
    const std::string_view k = kv.key;
    switch (k.size()) {
      case 2:
        if (Is(k, "id")) SetString(kv.value, &c->id);
        break;
      case 4:
        if (Is(k, "name")) SetString(kv.value, &c->name);
        break;
      case 5:
        if (Is(k, "state")) SetString(kv.value, &c->state);
        break;
      case 6:
        if (Is(k, "caller")) {
          dom::object caller;
          if (kv.value.get_object().get(caller) != simdjson::SUCCESS) break;
          for (dom::key_value_pair f : caller) {
            if (Is(f.key, "name"))
              SetString(f.value, &c->caller_name);
            else if (Is(f.key, "number"))
              SetString(f.value, &c->caller_number);
          }
        }
        break;
      case 8:
        if (Is(k, "dialplan")) {
          dom::object dp;
          if (kv.value.get_object().get(dp) != simdjson::SUCCESS) break;
          for (dom::key_value_pair f : dp) {
            if (Is(f.key, "exten"))
              SetString(f.value, &c->dialplan_exten);
            else if (Is(f.key, "app_name"))
              SetString(f.value, &c->dialplan_app);
            else if (Is(f.key, "app_data"))
              SetString(f.value, &c->dialplan_app_data);
          }
        }
        break;
      case 12:
        if (Is(k, "creationtime")) c->creation_us = timestamps.Parse(View(kv.value)).value_or(0);
        break;
      default:
        break;
    }
  }
}

BridgeSnapshot DecodeBridge(dom::object o) {
  BridgeSnapshot b;
  for (dom::key_value_pair kv : o) {
    if (Is(kv.key, "id")) {
      SetString(kv.value, &b.id);
    } else if (Is(kv.key, "channels")) {
      dom::array channels;
      if (kv.value.get_array().get(channels) != simdjson::SUCCESS) continue;
      for (dom::element e : channels) {
        std::string_view s;
        if (e.get_string().get(s) == simdjson::SUCCESS) b.channels.emplace_back(s);
      }
    }
  }
  return b;
}

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
  if (Status s = DecodeEventInto(frame, &e); !s.ok()) return s;
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
        if (Is(k, "type")) {
          SetString(kv.value, &e->type);
        } else if (Is(k, "peer")) {
          ChannelSlot(kv.value, timestamps, &e->peer);
          seen_peer = e->peer.has_value();
        } else if (Is(k, "args")) {
          dom::array args;
          if (kv.value.get_array().get(args) != simdjson::SUCCESS) break;
          e->has_args = true;
          for (dom::element a : args) e->args.emplace_back(View(a));
        } else if (Is(k, "soft")) {
          bool soft = false;
          if (kv.value.get_bool().get(soft) == simdjson::SUCCESS) e->soft = soft;
        }
        break;
      case 5:
        if (Is(k, "value")) {
          SetString(kv.value, &e->value);
        } else if (Is(k, "cause")) {
          std::int64_t cause = 0;
          if (kv.value.get_int64().get(cause) == simdjson::SUCCESS)
            e->cause = static_cast<int>(cause);
        }
        break;
      case 6:
        if (Is(k, "caller")) {
          ChannelSlot(kv.value, timestamps, &e->caller);
          seen_caller = e->caller.has_value();
        } else if (Is(k, "bridge")) {
          dom::object b;
          if (kv.value.get_object().get(b) == simdjson::SUCCESS) e->bridge = DecodeBridge(b);
        }
        break;
      case 7:
        if (Is(k, "channel")) {
          ChannelSlot(kv.value, timestamps, &e->channel);
          seen_channel = e->channel.has_value();
        }
        break;
      case 8:
        if (Is(k, "variable")) SetString(kv.value, &e->variable);
        break;
      case 9:
        if (Is(k, "timestamp")) {
          e->time_us = timestamps.Parse(View(kv.value)).value_or(0);
        } else if (Is(k, "cause_txt")) {
          SetString(kv.value, &e->cause_txt);
        } else if (Is(k, "recording")) {
          dom::object rec;
          if (kv.value.get_object().get(rec) != simdjson::SUCCESS) break;
          for (dom::key_value_pair f : rec) {
            if (Is(f.key, "name"))
              SetString(f.value, &e->recording_name);
            else if (Is(f.key, "format"))
              SetString(f.value, &e->recording_format);
            else if (Is(f.key, "target_uri"))
              SetString(f.value, &e->recording_target);
          }
        }
        break;
      case 10:
        if (Is(k, "dialstatus")) SetString(kv.value, &e->dialstatus);
        break;
      case 11:
        if (Is(k, "application")) SetString(kv.value, &e->application);
        break;
      case 12:
        if (Is(k, "dialplan_app")) SetString(kv.value, &e->dialplan_app);
        break;
      case 17:
        if (Is(k, "dialplan_app_data")) SetString(kv.value, &e->dialplan_app_data);
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

Result<ReconcileSnapshot> EventDecoder::DecodeReconcile(std::string_view body) {
  dom::element root;
  if (auto err = impl_->parser.parse(body.data(), body.size()).get(root)) {
    return InvalidInput(std::string("reconcile body is not valid JSON: ") +
                        simdjson::error_message(err));
  }
  dom::object o;
  if (root.get_object().get(o) != simdjson::SUCCESS)
    return InvalidInput("reconcile body is not an object");
  ReconcileSnapshot snap;
  dom::array arr;
  if (o["channels"].get_array().get(arr) == simdjson::SUCCESS) {
    for (dom::element e : arr) {
      dom::object c;
      if (e.get_object().get(c) == simdjson::SUCCESS) {
        ChannelSnapshot ch;
        DecodeChannelInto(c, impl_->timestamps, &ch);
        if (!ch.id.empty()) snap.channels.push_back(std::move(ch));
      }
    }
  } else {
    return InvalidInput("reconcile body has no \"channels\" array");
  }
  if (o["bridges"].get_array().get(arr) == simdjson::SUCCESS) {
    for (dom::element e : arr) {
      dom::object b;
      if (e.get_object().get(b) == simdjson::SUCCESS) snap.bridges.push_back(DecodeBridge(b));
    }
  }
  return snap;
}

Result<std::vector<std::pair<std::string, std::string>>> EventDecoder::DecodeOptions(
    std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  dom::element root;
  if (auto err = impl_->parser.parse(body.data(), body.size()).get(root)) {
    return InvalidInput(std::string("note body is not valid JSON: ") +
                        simdjson::error_message(err));
  }
  dom::object opts;
  if (root["projector_options"].get_object().get(opts) != simdjson::SUCCESS) return out;
  for (dom::key_value_pair kv : opts) {
    std::string_view v;
    if (kv.value.get_string().get(v) == simdjson::SUCCESS)
      out.emplace_back(std::string(kv.key), std::string(v));
  }
  return out;
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

std::string EncodeOptionsNote(const std::vector<std::pair<std::string, std::string>>& options) {
  auto escape = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += c;
      }
    }
    return out;
  };
  std::string out = "{\"projector_options\":{";
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (i > 0) out += ',';
    out += "\"" + escape(options[i].first) + "\":\"" + escape(options[i].second) + "\"";
  }
  out += "}}";
  return out;
}

}  // namespace callledger::ari
