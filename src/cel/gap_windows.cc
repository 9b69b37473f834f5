#include "cel/gap_windows.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "payload/cel.h"
#include "payload/gap.h"
#include "record/record_codec.h"

namespace callledger::cel {

namespace {

// A gap of the ledger and the span of time its window has to cover.
struct GapSpan {
  Seq seq;
  std::int64_t since_us = 0;  // 0: from the last record heard before it
  std::optional<HeardAt> heard_before;
  std::int64_t at_us = 0;     // the gap record's own time (the connection)
  std::int64_t until_us = 0;  // its reconcile; INT64_MAX: none came
};

bool Covered(std::int64_t since_us, std::int64_t until_us,
             std::vector<std::pair<std::int64_t, std::int64_t>> windows) {
  std::sort(windows.begin(), windows.end());
  std::int64_t reach = since_us;  // covered up to here
  for (const auto& [from, to] : windows) {
    if (from > reach) break;
    reach = std::max(reach, to);
    if (reach >= until_us) return true;
  }
  return reach >= until_us;
}

}  // namespace

Result<std::optional<HeardAt>> LastHeardFromAsterisk(const EventLog& log,
                                                     std::uint64_t max_records) {
  const Seq head = log.Head().seq;
  std::optional<HeardAt> last;                                  // the last record heard
  std::vector<std::pair<std::int64_t, std::int64_t>> recorded;  // windows recorded whole
  std::vector<GapSpan> gaps;                                    // newest first
  std::vector<std::size_t> waiting;            // gaps still to find the record heard before them
  std::int64_t next_reconcile_us = INT64_MAX;  // the nearest reconcile after, walking back
  for (std::uint64_t back = 0; back < max_records && back < head.value; ++back) {
    const Seq seq{head.value - back};
    ASSIGN_OR_RETURN(const std::string bytes, log.ReadEncoded(seq));
    Result<Record> r = DecodeRecord(bytes);
    if (!r.ok()) return DataLoss("seq " + std::to_string(seq.value) + ": " + r.status().message());
    std::optional<std::int64_t> heard_us;
    switch (r->kind) {
      case RecordKind::kAriEvent:
      case RecordKind::kMalformed:
        heard_us = r->event_time_us != 0 ? r->event_time_us : r->received_at_us;
        break;
      case RecordKind::kCel: {
        heard_us = r->event_time_us != 0 ? r->event_time_us : r->received_at_us;
        Result<payload::CelPayload> cel = payload::ParseCel(r->payload);
        if (cel.ok() && cel->last_part) recorded.emplace_back(cel->since_us, cel->until_us);
        break;
      }
      case RecordKind::kReconcile:
        next_reconcile_us = r->event_time_us;
        break;
      case RecordKind::kGap: {
        Result<payload::GapPayload> gap = payload::ParseGap(r->payload);
        GapSpan span;
        span.seq = seq;
        span.at_us = r->event_time_us;
        span.until_us = next_reconcile_us;
        if (gap.ok() && gap->lost_frames.has_value()) {
          span.since_us = gap->since_us;  // an overflow: its own window
          span.until_us = gap->until_us;
        } else if (gap.ok() && gap->since_us != 0) {
          span.since_us = gap->since_us;
        } else {
          waiting.push_back(gaps.size());
        }
        // A connection that ended before its reconcile: the next one's
        // reconcile closes its window (GapWindows), so keep it.
        gaps.push_back(span);
        break;
      }
      default:
        break;  // notes: the daemon's own statements
    }
    if (heard_us) {
      const HeardAt at{seq, *heard_us, std::nullopt};
      if (!last) last = at;
      for (std::size_t i : waiting) gaps[i].heard_before = at;
      waiting.clear();
    }
  }
  std::optional<HeardAt> start = last;
  for (const GapSpan& gap : gaps) {  // newest first
    HeardAt from;
    if (gap.since_us != 0) {
      from = HeardAt{gap.seq, gap.since_us, std::nullopt};
    } else if (gap.heard_before) {
      from = *gap.heard_before;
    } else {
      // Nothing heard before it (a new ledger, or out of reach): its own
      // connection, as the window of a run with nothing heard begins.
      from = HeardAt{gap.seq, gap.at_us, std::nullopt};
    }
    // Older gaps come later: on a tie the oldest is named.
    if (start && from.time_us > start->time_us) continue;
    if (Covered(from.time_us, gap.until_us, recorded)) continue;
    start = HeardAt{from.seq, from.time_us, gap.seq};
  }
  return start;
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
    if (heard_before_start_->unrecorded_gap) {
      w.origin = "window from the start of an earlier gap (seq " +
                 std::to_string(heard_before_start_->unrecorded_gap->value) +
                 ") whose CEL window was not recorded whole (seq " +
                 std::to_string(heard_before_start_->seq.value) + ")";
    } else {
      w.origin = "window from the last record heard from Asterisk before this run (seq " +
                 std::to_string(heard_before_start_->seq.value) + ")";
    }
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
