#include "ari/frame_record.h"

#include <utility>

namespace callledger::ari {

RecordDraft DraftFromFrame(FrameParser& parser, std::string_view frame, std::int64_t received_at_us,
                           std::size_t max_stored_bytes) {
  RecordDraft draft;
  draft.received_at_us = received_at_us;
  Result<FrameSummary> parsed = parser.Parse(frame);
  if (!parsed.ok()) {
    draft.kind = RecordKind::kMalformed;
    draft.reason = parsed.status().message();
    if (frame.size() > max_stored_bytes) {
      draft.payload.assign(frame.substr(0, max_stored_bytes));
      draft.payload_size = frame.size();
    } else {
      draft.payload.assign(frame);
    }
    return draft;
  }
  FrameSummary& s = parsed.value();
  draft.kind = RecordKind::kAriEvent;
  draft.event_type = std::move(s.type);
  draft.event_time_us = s.event_time_us.value_or(0);
  draft.asterisk_id = std::move(s.asterisk_id);
  draft.application = std::move(s.application);
  draft.channel_ids = std::move(s.channel_ids);
  draft.bridge_ids = std::move(s.bridge_ids);
  draft.call_ids = std::move(s.call_ids);
  draft.payload.assign(frame);
  return draft;
}

}  // namespace callledger::ari
