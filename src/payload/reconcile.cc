#include "payload/reconcile.h"

#include <simdjson.h>

#include "ari/snapshot_json.h"
#include "ari/timestamp.h"
#include "payload/json_writer.h"

namespace callledger::payload {
namespace dom = simdjson::dom;

std::string EncodeReconcile(const ReconcilePayload& reconcile) {
  return JsonObjectWriter()
      .Raw("channels", reconcile.channels)
      .Raw("bridges", reconcile.bridges)
      .Finish();
}

Result<ReconcilePayload> ParseReconcile(std::string_view payload) {
  ASSIGN_OR_RETURN(const std::vector<JsonMember> members,
                   ObjectMembers(payload, "reconcile payload"));
  if (members.size() != 2 || members[0].key != "channels" || members[1].key != "bridges") {
    return InvalidInput(
        "reconcile payload must have exactly the members \"channels\" and \"bridges\", in this "
        "order");
  }
  // Members of valid JSON are valid JSON: these checks cannot fail.
  ASSIGN_OR_RETURN(JsonText channels, JsonText::Verbatim(std::string(members[0].raw)));
  ASSIGN_OR_RETURN(JsonText bridges, JsonText::Verbatim(std::string(members[1].raw)));
  return ReconcilePayload{std::move(channels), std::move(bridges)};
}

RecordDraft ReconcileDraft(const ReconcilePayload& reconcile, std::int64_t at_us) {
  RecordDraft d;
  d.kind = RecordKind::kReconcile;
  d.event_time_us = at_us;
  d.received_at_us = at_us;
  d.reason = std::string(kReconcileReason);
  d.payload = EncodeReconcile(reconcile);
  return d;
}

RecordDraft UnusableBodyDraft(std::string_view request, std::string body, std::string_view why,
                              std::int64_t at_us) {
  RecordDraft d;
  d.kind = RecordKind::kMalformed;
  d.event_time_us = at_us;
  d.received_at_us = at_us;
  d.reason = std::string(request) + " answered with a body that cannot be reconciled (" +
             std::string(why) + "); kept instead of a reconcile";
  d.payload = std::move(body);
  return d;
}

struct ReconcileDecoder::Impl {
  dom::parser parser;
  ari::AriTimestampParser timestamps;
};

ReconcileDecoder::ReconcileDecoder() : impl_(std::make_unique<Impl>()) {}
ReconcileDecoder::~ReconcileDecoder() = default;

Result<ReconcileSnapshot> ReconcileDecoder::Decode(std::string_view payload) {
  dom::element root;
  if (auto err = impl_->parser.parse(payload.data(), payload.size()).get(root)) {
    return InvalidInput(std::string("reconcile body is not valid JSON: ") +
                        simdjson::error_message(err));
  }
  dom::object o;
  if (root.get_object().get(o) != simdjson::SUCCESS)
    return InvalidInput("reconcile body is not an object");
  ReconcileSnapshot snap;
  dom::array arr;
  if (o["channels"].get_array().get(arr) != simdjson::SUCCESS)
    return InvalidInput("reconcile body has no \"channels\" array");
  for (dom::element e : arr) {
    dom::object c;
    if (e.get_object().get(c) != simdjson::SUCCESS) continue;
    ChannelSnapshot ch;
    ari::DecodeChannelInto(c, impl_->timestamps, &ch);
    if (!ch.id.empty()) snap.channels.push_back(std::move(ch));
  }
  if (o["bridges"].get_array().get(arr) == simdjson::SUCCESS) {
    for (dom::element e : arr) {
      dom::object b;
      if (e.get_object().get(b) == simdjson::SUCCESS)
        snap.bridges.push_back(ari::DecodeBridge(b, impl_->timestamps));
    }
  }
  return snap;
}

}  // namespace callledger::payload
