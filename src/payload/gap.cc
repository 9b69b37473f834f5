#include "payload/gap.h"

#include <simdjson.h>

#include "payload/json_writer.h"

namespace callledger::payload {
namespace {
constexpr std::string_view kWhat = "gap payload";
}  // namespace

std::string EncodeGap(const GapPayload& gap) {
  JsonObjectWriter w;
  w.String("reason", gap.reason).Int("since_us", gap.since_us).Int("until_us", gap.until_us);
  if (gap.lost_frames) w.Uint("lost_frames", *gap.lost_frames);
  if (gap.asterisk_info) w.Raw("asterisk_info", *gap.asterisk_info);
  return w.Finish();
}

Result<GapPayload> ParseGap(std::string_view payload) {
  ASSIGN_OR_RETURN(const std::vector<JsonMember> members, ObjectMembers(payload, kWhat));
  GapPayload gap;
  bool has_reason = false, has_since = false, has_until = false;
  for (const JsonMember& m : members) {
    if (m.key == "reason") {
      ASSIGN_OR_RETURN(gap.reason, StringValue(m, kWhat));
      has_reason = true;
    } else if (m.key == "since_us" || m.key == "until_us") {
      ASSIGN_OR_RETURN((m.key == "since_us" ? gap.since_us : gap.until_us), Int64Value(m, kWhat));
      (m.key == "since_us" ? has_since : has_until) = true;
    } else if (m.key == "lost_frames") {
      ASSIGN_OR_RETURN(gap.lost_frames, Uint64Value(m, kWhat));
    } else if (m.key == "asterisk_info") {
      ASSIGN_OR_RETURN(gap.asterisk_info, JsonText::Verbatim(std::string(m.raw)));
    } else {
      return InvalidInput("gap payload has an unknown member \"" + m.key + "\"");
    }
  }
  if (!has_reason || !has_since || !has_until) {
    return InvalidInput("gap payload lacks one of \"reason\", \"since_us\", \"until_us\"");
  }
  return gap;
}

RecordDraft GapDraft(const GapPayload& gap) {
  RecordDraft d;
  d.kind = RecordKind::kGap;
  d.event_time_us = gap.until_us;
  d.received_at_us = gap.until_us;
  d.reason = gap.reason;
  d.payload = EncodeGap(gap);
  return d;
}

std::string GapReasonConnected(std::string_view previous_end) {
  return "connected to ARI after: " + std::string(previous_end);
}

std::string GapReasonOverflow(std::uint64_t lost) {
  return "overflow: " + std::to_string(lost) + " frames received but not kept (ingest queue full)";
}

std::optional<AsteriskProcess> AsteriskProcessOf(const JsonText& info) {
  namespace dom = simdjson::dom;
  dom::parser parser;
  dom::element root;
  if (parser.parse(info.text()).get(root) != simdjson::SUCCESS) return std::nullopt;
  const auto text = [&](const char* object, const char* key) {
    std::string_view v;
    if (root[object][key].get_string().get(v) != simdjson::SUCCESS) return std::string();
    return std::string(v);
  };
  AsteriskProcess p;
  p.startup_time = text("status", "startup_time");
  if (p.startup_time.empty()) return std::nullopt;
  p.entity_id = text("system", "entity_id");
  p.system_name = text("config", "name");
  return p;
}

}  // namespace callledger::payload
