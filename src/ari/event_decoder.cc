#include "ari/event_decoder.h"

#include <simdjson.h>

#include <cstdio>

#include "ari/timestamp.h"

namespace callledger::ari {
namespace dom = simdjson::dom;
namespace {

std::string Str(dom::object o, std::string_view key) {
  std::string_view s;
  if (o[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

std::optional<dom::object> Obj(dom::object o, std::string_view key) {
  dom::object out;
  if (o[key].get_object().get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

ChannelSnapshot DecodeChannel(dom::object o) {
  ChannelSnapshot c;
  c.id = Str(o, "id");
  c.name = Str(o, "name");
  c.state = Str(o, "state");
  if (auto caller = Obj(o, "caller")) {
    c.caller_name = Str(*caller, "name");
    c.caller_number = Str(*caller, "number");
  }
  if (auto dp = Obj(o, "dialplan")) {
    c.dialplan_context = Str(*dp, "context");
    c.dialplan_exten = Str(*dp, "exten");
    c.dialplan_app = Str(*dp, "app_name");
    c.dialplan_app_data = Str(*dp, "app_data");
  }
  c.creation_us = ParseAriTimestamp(Str(o, "creationtime")).value_or(0);
  return c;
}

BridgeSnapshot DecodeBridge(dom::object o) {
  BridgeSnapshot b;
  b.id = Str(o, "id");
  dom::array channels;
  if (o["channels"].get_array().get(channels) == simdjson::SUCCESS) {
    for (dom::element e : channels) {
      std::string_view s;
      if (e.get_string().get(s) == simdjson::SUCCESS) b.channels.emplace_back(s);
    }
  }
  return b;
}

std::optional<ChannelSnapshot> ChannelAt(dom::object o, std::string_view key) {
  auto obj = Obj(o, key);
  if (!obj) return std::nullopt;
  ChannelSnapshot c = DecodeChannel(*obj);
  if (c.id.empty()) return std::nullopt;
  return c;
}

}  // namespace

struct EventDecoder::Impl {
  dom::parser parser;
};

EventDecoder::EventDecoder() : impl_(std::make_unique<Impl>()) {}
EventDecoder::~EventDecoder() = default;

Result<AriEvent> EventDecoder::DecodeEvent(std::string_view frame) {
  dom::element root;
  if (auto err = impl_->parser.parse(frame.data(), frame.size()).get(root)) {
    return InvalidInput(std::string("frame is not valid JSON: ") + simdjson::error_message(err));
  }
  dom::object o;
  if (root.get_object().get(o) != simdjson::SUCCESS) return InvalidInput("frame is not a JSON object");
  AriEvent e;
  e.type = Str(o, "type");
  if (e.type.empty()) return InvalidInput("frame has no \"type\"");
  e.time_us = ParseAriTimestamp(Str(o, "timestamp")).value_or(0);
  e.application = Str(o, "application");
  e.channel = ChannelAt(o, "channel");
  e.peer = ChannelAt(o, "peer");
  e.caller = ChannelAt(o, "caller");
  if (auto b = Obj(o, "bridge")) e.bridge = DecodeBridge(*b);
  dom::array args;
  if (o["args"].get_array().get(args) == simdjson::SUCCESS) {
    e.has_args = true;
    for (dom::element a : args) {
      std::string_view s;
      e.args.emplace_back(a.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string());
    }
  }
  e.dialplan_app = Str(o, "dialplan_app");
  e.dialplan_app_data = Str(o, "dialplan_app_data");
  e.variable = Str(o, "variable");
  e.value = Str(o, "value");
  e.dialstatus = Str(o, "dialstatus");
  std::int64_t cause = 0;
  if (o["cause"].get_int64().get(cause) == simdjson::SUCCESS) e.cause = static_cast<int>(cause);
  e.cause_txt = Str(o, "cause_txt");
  bool soft = false;
  if (o["soft"].get_bool().get(soft) == simdjson::SUCCESS) e.soft = soft;
  if (auto rec = Obj(o, "recording")) {
    e.recording_name = Str(*rec, "name");
    e.recording_format = Str(*rec, "format");
    e.recording_target = Str(*rec, "target_uri");
  }
  return e;
}

Result<ReconcileSnapshot> EventDecoder::DecodeReconcile(std::string_view body) {
  dom::element root;
  if (auto err = impl_->parser.parse(body.data(), body.size()).get(root)) {
    return InvalidInput(std::string("reconcile body is not valid JSON: ") + simdjson::error_message(err));
  }
  dom::object o;
  if (root.get_object().get(o) != simdjson::SUCCESS) return InvalidInput("reconcile body is not an object");
  ReconcileSnapshot snap;
  dom::array arr;
  if (o["channels"].get_array().get(arr) == simdjson::SUCCESS) {
    for (dom::element e : arr) {
      dom::object c;
      if (e.get_object().get(c) == simdjson::SUCCESS) {
        ChannelSnapshot ch = DecodeChannel(c);
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

Result<std::vector<std::pair<std::string, std::string>>> EventDecoder::DecodeOptions(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  dom::element root;
  if (auto err = impl_->parser.parse(body.data(), body.size()).get(root)) {
    return InvalidInput(std::string("note body is not valid JSON: ") + simdjson::error_message(err));
  }
  dom::object opts;
  if (root["projector_options"].get_object().get(opts) != simdjson::SUCCESS) return out;
  for (dom::key_value_pair kv : opts) {
    std::string_view v;
    if (kv.value.get_string().get(v) == simdjson::SUCCESS) out.emplace_back(std::string(kv.key), std::string(v));
  }
  return out;
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
