#include "audit/stats.h"

#include "record/record_codec.h"

namespace callledger::audit {

Result<LedgerStats> ComputeStats(const EventLog& log) {
  LedgerStats st;
  st.info = log.Info();
  st.head = log.Head();
  st.size_on_disk = log.SizeOnDisk();
  Status inner;
  RETURN_IF_ERROR(log.ScanEncoded(Seq{1}, st.head.seq, [&](Seq key, std::string_view bytes) {
    Result<Record> r = DecodeRecord(bytes);
    if (!r.ok()) {
      inner = DataLoss("seq " + std::to_string(key.value) + ": " + r.status().message());
      return false;
    }
    if (st.records == 0) st.first_seq = key;
    st.last_seq = key;
    ++st.records;
    ++st.by_kind[std::string(RecordKindName(r->kind))];
    if (r->kind == RecordKind::kAriEvent) ++st.by_type[r->event_type];
    // ARI event times only: gap, reconcile and note records carry the
    // daemon's clock, which would stretch the range to "now".
    if (r->kind == RecordKind::kAriEvent && r->event_time_us != 0) {
      if (st.first_event_us == 0 || r->event_time_us < st.first_event_us) {
        st.first_event_us = r->event_time_us;
      }
      if (r->event_time_us > st.last_event_us) st.last_event_us = r->event_time_us;
    }
    st.payload_bytes += r->payload.size();
    return true;
  }));
  RETURN_IF_ERROR(inner);
  return st;
}

}  // namespace callledger::audit
