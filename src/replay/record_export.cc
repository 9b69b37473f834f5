#include "replay/record_export.h"

#include "payload/record_line.h"
#include "record/record_codec.h"

namespace callledger::replay {

Result<std::string> RecordsAsFixture(const EventLog& log) {
  std::string out;
  Status inner;
  const Seq head = log.Head().seq;
  if (head.value == 0) return out;
  RETURN_IF_ERROR(log.ScanEncoded(Seq{1}, head, [&](Seq key, std::string_view bytes) {
    Result<Record> r = DecodeRecord(bytes);
    if (!r.ok()) {
      inner = DataLoss("seq " + std::to_string(key.value) + ": " + r.status().message());
      return false;
    }
    const bool frame = r->kind == RecordKind::kAriEvent || r->kind == RecordKind::kMalformed;
    const bool breaks_line = r->kind == RecordKind::kMalformed && !r->truncated() &&
                             r->payload.find_first_of("\r\n") != std::string::npos;
    if (frame && !breaks_line) {
      out += r->payload;
      out += '\n';
      return true;
    }
    Result<std::string> line = payload::EncodeRecordLine(*r);
    if (!line.ok()) {
      inner = InvalidInput("seq " + std::to_string(key.value) + ": " + line.status().message());
      return false;
    }
    out += *line;
    out += '\n';
    return true;
  }));
  RETURN_IF_ERROR(inner);
  return out;
}

}  // namespace callledger::replay
