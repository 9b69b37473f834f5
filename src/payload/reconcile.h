// The `reconcile` record: what Asterisk said was live right after the daemon
// (re)connected (DESIGN section 4.3). The projector closes the calls it
// believes live whose channel is not in it and opens the live calls it does
// not know.
//
// The record: kind `reconcile`, event_time_us = received_at_us = when the
// daemon got both answers (its clock), reason = kReconcileReason.
//
// The payload is the two REST bodies, each byte for byte as Asterisk sent
// it, inside one JSON object (a reconcile's bytes are evidence for auditors):
//
//   {"channels":<body of GET /ari/channels>,"bridges":<body of GET /ari/bridges>}
//
//   channels  any (an array of Channel)  the body, unchanged
//   bridges   any (an array of Bridge)   the body, unchanged
//
// These are exactly the bytes the daemon has written since its first
// version (which concatenated them). A body is embedded only once it has
// been validated as JSON (JsonText::Verbatim), so the payload is always one
// JSON object. A body that is not JSON cannot be recorded as a reconcile; it
// is kept all the same, as a `malformed` record (UnusableBodyDraft).
//
// ParseReconcile gives the two bodies back byte for byte (ObjectMembers:
// what lies between a member's colon and the comma or brace after it) and
// accepts exactly these two members. ReconcileDecoder gives the projector
// its typed snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/ari_event.h"
#include "core/record.h"
#include "core/status.h"
#include "payload/json_text.h"

namespace callledger::payload {

inline constexpr std::string_view kReconcileReason = "GET /ari/channels and /ari/bridges";

struct ReconcilePayload {
  JsonText channels;  // GET /ari/channels
  JsonText bridges;   // GET /ari/bridges

  friend bool operator==(const ReconcilePayload&, const ReconcilePayload&) = default;
};

std::string EncodeReconcile(const ReconcilePayload& reconcile);
Result<ReconcilePayload> ParseReconcile(std::string_view payload);
// The record, ready to append; `at_us` is when the answers arrived.
RecordDraft ReconcileDraft(const ReconcilePayload& reconcile, std::int64_t at_us);

// A REST body that could not be embedded in a reconcile (JsonText::Check
// said why) is evidence all the same (DESIGN invariant 6): a `malformed`
// record whose payload is the body byte for byte and whose reason names the
// request ("GET /ari/channels") and the error. The projector skips it, so
// that connection has no reconcile; the next connection asks again.
RecordDraft UnusableBodyDraft(std::string_view request, std::string body, std::string_view why,
                              std::int64_t at_us);

// The projector's view of a reconcile payload, parsed with simdjson:
// `channels` must be an array (else kInvalidInput); its objects with a
// non-empty `id` become ChannelSnapshots (ari/snapshot_json.h). The objects
// of `bridges`, when it is an array, become BridgeSnapshots; a `bridges`
// that is absent or not an array gives none. Other members are ignored.
// One decoder per thread (it reuses its parser's buffers).
class ReconcileDecoder {
 public:
  ReconcileDecoder();
  ~ReconcileDecoder();
  ReconcileDecoder(const ReconcileDecoder&) = delete;
  ReconcileDecoder& operator=(const ReconcileDecoder&) = delete;

  Result<ReconcileSnapshot> Decode(std::string_view payload);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callledger::payload
