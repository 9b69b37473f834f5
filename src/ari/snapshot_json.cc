#include "ari/snapshot_json.h"

namespace callledger::ari {
namespace dom = simdjson::dom;

void DecodeChannelInto(dom::object o, AriTimestampParser& timestamps, ChannelSnapshot* c) {
  c->id.clear();
  c->name.clear();
  c->state.clear();
  c->caller_name.clear();
  c->caller_number.clear();
  c->connected_number.clear();
  c->dialplan_exten.clear();
  c->dialplan_app.clear();
  c->dialplan_app_data.clear();
  c->creation_us = 0;
  for (dom::key_value_pair kv : o) {
    const std::string_view k = kv.key;
    switch (k.size()) {
      case 2:
        if (IsKey(k, "id")) AssignString(kv.value, &c->id);
        break;
      case 4:
        if (IsKey(k, "name")) AssignString(kv.value, &c->name);
        break;
      case 5:
        if (IsKey(k, "state")) AssignString(kv.value, &c->state);
        break;
      case 6:
        if (IsKey(k, "caller")) {
          dom::object caller;
          if (kv.value.get_object().get(caller) != simdjson::SUCCESS) break;
          for (dom::key_value_pair f : caller) {
            if (IsKey(f.key, "name"))
              AssignString(f.value, &c->caller_name);
            else if (IsKey(f.key, "number"))
              AssignString(f.value, &c->caller_number);
          }
        }
        break;
      case 9:
        if (IsKey(k, "connected")) {
          dom::object connected;
          if (kv.value.get_object().get(connected) != simdjson::SUCCESS) break;
          for (dom::key_value_pair f : connected) {
            if (IsKey(f.key, "number")) AssignString(f.value, &c->connected_number);
          }
        }
        break;
      case 8:
        if (IsKey(k, "dialplan")) {
          dom::object dp;
          if (kv.value.get_object().get(dp) != simdjson::SUCCESS) break;
          for (dom::key_value_pair f : dp) {
            if (IsKey(f.key, "exten"))
              AssignString(f.value, &c->dialplan_exten);
            else if (IsKey(f.key, "app_name"))
              AssignString(f.value, &c->dialplan_app);
            else if (IsKey(f.key, "app_data"))
              AssignString(f.value, &c->dialplan_app_data);
          }
        }
        break;
      case 12:
        if (IsKey(k, "creationtime"))
          c->creation_us = timestamps.Parse(StringOrEmpty(kv.value)).value_or(0);
        break;
      default:
        break;
    }
  }
}

BridgeSnapshot DecodeBridge(dom::object o, AriTimestampParser& timestamps) {
  BridgeSnapshot b;
  for (dom::key_value_pair kv : o) {
    if (IsKey(kv.key, "id")) {
      AssignString(kv.value, &b.id);
    } else if (IsKey(kv.key, "creationtime")) {
      b.creation_us = timestamps.Parse(StringOrEmpty(kv.value)).value_or(0);
    } else if (IsKey(kv.key, "channels")) {
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

}  // namespace callledger::ari
