// How auditors see records: aligned table rows, JSON lines, stats text, and
// the byte-exact export. Pure formatting over decoded records.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "audit/call_links.h"
#include "audit/stats.h"
#include "core/event_log.h"
#include "core/record.h"

namespace callledger::audit {

// One JSON object per record, no line feed inside: seq, kind, node,
// event_type, event_time, received_at, asterisk_id, application,
// channel_ids, bridge_ids, payload (the parsed frame; a JSON string when the
// bytes are UTF-8 but not JSON; null plus payload_hex otherwise), reason,
// payload_size, prev_hash, hash.
std::string RecordJsonLine(const Record& record);

// A short human description of what a record says: "state Up",
// "Stasis(call-center,,kiruvchi,...)", "dialstatus ANSWER", "cause 16 Normal
// Clearing", the malformed reason...
std::string DescribeRecord(const Record& record);

// Aligned table: header once, then one line per record.
class RecordTable {
 public:
  explicit RecordTable(std::ostream& out) : out_(out) {}
  void Row(const Record& record);

 private:
  std::ostream& out_;
  bool header_done_ = false;
};

std::string RenderStatsText(const LedgerStats& stats);
std::string RenderStatsJson(const LedgerStats& stats);
std::string RenderCallHeader(const CallHistory& history);

// Writes the payload of every ari_event and malformed record in [from, to],
// byte for byte, one per line: the inverse of `ledger-replay import`. With
// ExportKinds::kAll the daemon's own records (gap, reconcile, note, cel) are
// written too, in seq order between the frames, each as one record line
// (payload/record_line.h), which `ledger-replay import` and `fixture` read
// back as records of their kind; so is a malformed record whose bytes hold a
// line break (it could not stay one line). A record that cannot be written
// as a line fails the export with kInvalidInput naming its seq.
enum class ExportKinds : std::uint8_t { kFrames, kAll };
struct ExportCounts {
  std::uint64_t written = 0;  // frames
  std::uint64_t records = 0;  // daemon records written as record lines (kAll)
  std::uint64_t skipped_other_kinds = 0;
  std::uint64_t truncated = 0;  // malformed records stored truncated
};
Result<ExportCounts> ExportPayloads(const EventLog& log, Seq from, Seq to, std::ostream& out,
                                    ExportKinds kinds = ExportKinds::kFrames);

}  // namespace callledger::audit
