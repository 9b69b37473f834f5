#include "payload/record_line.h"

#include <simdjson.h>

#include <span>

#include "core/hex.h"
#include "payload/json_text.h"
#include "payload/json_writer.h"

namespace callledger::payload {
namespace {

constexpr std::string_view kWhat = "daemon record line";

// The daemon's own records, and a malformed record (a frame or REST body
// kept as received) that cannot be a line of its own.
bool IsLineKind(RecordKind kind) {
  return kind == RecordKind::kGap || kind == RecordKind::kReconcile || kind == RecordKind::kNote ||
         kind == RecordKind::kCel || kind == RecordKind::kMalformed;
}

// The fields a line carries, from a draft or a stored record.
struct LineFields {
  RecordKind kind;
  std::int64_t event_time_us;
  std::int64_t received_at_us;
  std::string_view reason;
  std::string_view payload;
  bool only_these;  // the record has no other field set
};

Result<std::string> Encode(const LineFields& f) {
  if (!IsLineKind(f.kind)) {
    return InvalidInput(
        "a " + std::string(RecordKindName(f.kind)) +
        " record is not a daemon record (gap, reconcile, note, cel) or a malformed one");
  }
  if (!f.only_these) {
    return InvalidInput(std::string(RecordKindName(f.kind)) +
                        " record carries fields a daemon record line does not hold (ids, "
                        "event_type, asterisk_id, application or a truncated payload)");
  }
  JsonObjectWriter record;
  record.String("kind", RecordKindName(f.kind))
      .Int("event_time_us", f.event_time_us)
      .Int("received_at_us", f.received_at_us)
      .String("reason", f.reason);
  // A JSON payload goes in as it is, unless it holds a line break (only
  // possible as whitespace between tokens): the line must stay one line.
  auto json = f.payload.find_first_of("\r\n") == std::string_view::npos
                  ? JsonText::Verbatim(std::string(f.payload))
                  : Result<JsonText>(InvalidInput("a line break"));
  if (json.ok()) {
    record.Raw("payload", *json);
  } else if (simdjson::validate_utf8(f.payload)) {
    record.String("payload_text", f.payload);
  } else {
    record.String("payload_hex",
                  ToHex(std::span(reinterpret_cast<const std::uint8_t*>(f.payload.data()),
                                  f.payload.size())));
  }
  JsonObjectWriter line;
  line.Object("call_ledger_record", std::move(record));
  return line.Finish();
}

Status Missing(std::string_view member) {
  return InvalidInput(std::string(kWhat) + " lacks \"" + std::string(member) + "\"");
}

}  // namespace

Result<std::string> EncodeRecordLine(const RecordDraft& r) {
  const bool only = r.asterisk_id.empty() && r.application.empty() && r.event_type.empty() &&
                    r.channel_ids.empty() && r.bridge_ids.empty() && r.call_ids.empty() &&
                    r.payload_size == 0;
  return Encode({r.kind, r.event_time_us, r.received_at_us, r.reason, r.payload, only});
}

Result<std::string> EncodeRecordLine(const Record& r) {
  const bool only = r.asterisk_id.empty() && r.application.empty() && r.event_type.empty() &&
                    r.channel_ids.empty() && r.bridge_ids.empty() && r.call_ids.empty() &&
                    r.payload_size == 0;
  return Encode({r.kind, r.event_time_us, r.received_at_us, r.reason, r.payload, only});
}

Result<RecordDraft> ParseRecordLine(std::string_view line) {
  if (!IsRecordLine(line)) {
    return InvalidInput(std::string(kWhat) + " does not begin with " +
                        std::string(kRecordLinePrefix));
  }
  ASSIGN_OR_RETURN(const std::vector<JsonMember> outer, ObjectMembers(line, kWhat));
  if (outer.size() != 1) {
    return InvalidInput(std::string(kWhat) + " has members beside \"call_ledger_record\"");
  }
  ASSIGN_OR_RETURN(const std::vector<JsonMember> members, ObjectMembers(outer[0].raw, kWhat));
  RecordDraft d;
  bool has_kind = false, has_time = false, has_received = false, has_reason = false;
  int payloads = 0;
  for (const JsonMember& m : members) {
    if (m.key == "kind") {
      ASSIGN_OR_RETURN(const std::string name, StringValue(m, kWhat));
      const auto kind = RecordKindFromName(name);
      if (!kind || !IsLineKind(*kind)) {
        return InvalidInput(std::string(kWhat) + ": kind \"" + name +
                            "\" is not gap, reconcile, note, cel or malformed");
      }
      d.kind = *kind;
      has_kind = true;
    } else if (m.key == "event_time_us" || m.key == "received_at_us") {
      const bool event = m.key == "event_time_us";
      ASSIGN_OR_RETURN((event ? d.event_time_us : d.received_at_us), Int64Value(m, kWhat));
      (event ? has_time : has_received) = true;
    } else if (m.key == "reason") {
      ASSIGN_OR_RETURN(d.reason, StringValue(m, kWhat));
      has_reason = true;
    } else if (m.key == "payload") {
      d.payload = std::string(m.raw);
      ++payloads;
    } else if (m.key == "payload_text") {
      ASSIGN_OR_RETURN(d.payload, StringValue(m, kWhat));
      ++payloads;
    } else if (m.key == "payload_hex") {
      ASSIGN_OR_RETURN(const std::string hex, StringValue(m, kWhat));
      auto bytes = FromHex(hex);
      if (!bytes) return InvalidInput(std::string(kWhat) + ": \"payload_hex\" is not hex");
      d.payload = std::move(*bytes);
      ++payloads;
    } else {
      return InvalidInput(std::string(kWhat) + " has an unknown member \"" + m.key + "\"");
    }
  }
  if (!has_kind) return Missing("kind");
  if (!has_time) return Missing("event_time_us");
  if (!has_received) return Missing("received_at_us");
  if (!has_reason) return Missing("reason");
  if (payloads != 1) {
    return InvalidInput(std::string(kWhat) +
                        " needs exactly one of \"payload\", \"payload_text\", \"payload_hex\"");
  }
  return d;
}

}  // namespace callledger::payload
