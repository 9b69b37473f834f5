#include "audit/query.h"

#include "record/record_codec.h"

namespace callledger::audit {
namespace {

bool Matches(const LogFilter& f, const Record& r) {
  if (r.seq < f.from_seq || r.seq > f.to_seq) return false;
  if (f.kind && r.kind != *f.kind) return false;
  if (f.event_type && r.event_type != *f.event_type) return false;
  // A time filter asks about events in time; records without an event time
  // (malformed frames, notes) cannot be placed in it.
  if ((f.since_us || f.until_us) && r.event_time_us == 0) return false;
  if (f.since_us && r.event_time_us < *f.since_us) return false;
  if (f.until_us && r.event_time_us >= *f.until_us) return false;
  return true;
}

}  // namespace

Status VisitSeqs(const EventLog& log, const std::vector<Seq>& seqs, const RecordVisitor& visit) {
  for (Seq seq : seqs) {
    ASSIGN_OR_RETURN(const std::string bytes, log.ReadEncoded(seq));
    Result<Record> record = DecodeRecord(bytes);
    if (!record.ok()) {
      return DataLoss("seq " + std::to_string(seq.value) + ": " + record.status().message());
    }
    if (!visit(*record)) break;
  }
  return Status::Ok();
}

Status QueryLog(const EventLog& log, const LogFilter& filter, const RecordVisitor& visit) {
  std::uint64_t emitted = 0;
  Status inner;
  auto on_record = [&](const Record& r) {
    if (!Matches(filter, r)) return true;
    if (emitted >= filter.limit) return false;
    ++emitted;
    return visit(r) && emitted < filter.limit;
  };
  if (filter.limit == 0) return Status::Ok();
  if (filter.channel) {
    ASSIGN_OR_RETURN(const std::vector<Seq> seqs, log.Lookup(IndexKind::kChannel, *filter.channel));
    std::vector<Seq> in_range;
    for (Seq s : seqs) {
      if (s >= filter.from_seq && s <= filter.to_seq) in_range.push_back(s);
    }
    return VisitSeqs(log, in_range, on_record);
  }
  RETURN_IF_ERROR(
      log.ScanEncoded(filter.from_seq, filter.to_seq, [&](Seq key, std::string_view bytes) {
        Result<Record> record = DecodeRecord(bytes);
        if (!record.ok()) {
          inner = DataLoss("seq " + std::to_string(key.value) + ": " + record.status().message());
          return false;
        }
        return on_record(*record);
      }));
  return inner;
}

}  // namespace callledger::audit
