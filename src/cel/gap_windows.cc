#include "cel/gap_windows.h"

#include <algorithm>

#include "record/record_codec.h"

namespace callledger::cel {

Result<std::optional<HeardAt>> LastHeardFromAsterisk(const EventLog& log,
                                                     std::uint64_t max_records) {
  const Seq head = log.Head().seq;
  for (std::uint64_t back = 0; back < max_records && back < head.value; ++back) {
    const Seq seq{head.value - back};
    ASSIGN_OR_RETURN(const std::string bytes, log.ReadEncoded(seq));
    Result<Record> r = DecodeRecord(bytes);
    if (!r.ok()) return DataLoss("seq " + std::to_string(seq.value) + ": " + r.status().message());
    switch (r->kind) {
      case RecordKind::kAriEvent:
      case RecordKind::kMalformed:
      case RecordKind::kCel:
        return std::optional<HeardAt>(
            HeardAt{seq, r->event_time_us != 0 ? r->event_time_us : r->received_at_us});
      default:
        break;  // the daemon's own statements: not heard from Asterisk
    }
  }
  return std::optional<HeardAt>();
}

void GapWindows::OnConnectionGap(std::int64_t since_us, std::int64_t until_us) {
  if (open_) {
    // The previous connection ended before its snapshot: one window for both.
    open_->origin += "; the connection after it ended before its reconcile";
    return;
  }
  GapWindow w;
  if (since_us != 0) {
    w.since_us = since_us;
    w.origin = "window from the disconnect before this connection";
  } else if (heard_before_start_) {
    w.since_us = heard_before_start_->time_us;
    w.origin = "window from the last record heard from Asterisk before this run (seq " +
               std::to_string(heard_before_start_->seq.value) + ")";
  } else {
    w.since_us = until_us;
    w.origin = "no record heard from Asterisk before this run: window from this connection";
  }
  open_ = w;
}

std::optional<GapWindow> GapWindows::OnOverflowGap(std::int64_t since_us, std::int64_t until_us) {
  if (open_) {
    open_->since_us = std::min(open_->since_us, since_us);
    return std::nullopt;
  }
  return GapWindow{since_us, until_us, "window of frames dropped from the full ingest queue"};
}

std::optional<GapWindow> GapWindows::OnSnapshot(std::int64_t at_us) {
  if (!open_) return std::nullopt;
  GapWindow w = std::move(*open_);
  open_.reset();
  w.until_us = at_us;
  return w;
}

}  // namespace callledger::cel
