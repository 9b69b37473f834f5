// ARI's Channel and Bridge JSON models, as they appear inside events
// (`channel`, `peer`, `bridge`, ...) and in the answers of GET /ari/channels
// and GET /ari/bridges, decoded into the projector's snapshots
// (core/ari_event.h). The event decoder and the reconcile payload decoder
// (payload/reconcile.h) share them, so an event and a snapshot say the same
// thing about the same channel.
//
// Pure functions over an already parsed simdjson DOM object: members of the
// wrong type are read as empty, unknown members are ignored, nothing fails.
// Thread-compatible: the timestamp parser is the caller's (one per thread).
#pragma once

#include <simdjson.h>

#include <cstring>
#include <string>
#include <string_view>

#include "ari/timestamp.h"
#include "core/ari_event.h"

namespace callledger::ari {

// Fills `*channel` from a Channel object, reusing its buffers; fields the
// object lacks are cleared (creation_us becomes 0).
void DecodeChannelInto(simdjson::dom::object object, AriTimestampParser& timestamps,
                       ChannelSnapshot* channel);

// A Bridge object: its id, the ids of its member channels and its
// creationtime.
BridgeSnapshot DecodeBridge(simdjson::dom::object object, AriTimestampParser& timestamps);

// Helpers for walking DOM objects member by member (each object is walked
// once; at_key() per field would rescan it every time). Keys are told apart
// by their length first, then by one fixed-length comparison.
template <std::size_t N>
bool IsKey(std::string_view key, const char (&literal)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), literal, N - 1) == 0;
}

// A string member's text, or empty for anything else.
inline std::string_view StringOrEmpty(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? s : std::string_view();
}

// A string member into a reused buffer; anything else clears it.
inline void AssignString(simdjson::dom::element e, std::string* out) {
  out->assign(StringOrEmpty(e));
}

}  // namespace callledger::ari
