// One of the daemon's own records (gap, reconcile, note, cel) as one line of a
// fixture, between captured frames. `ledger-audit export --all-kinds`
// writes these lines; `ledger-replay import` and `ledger-replay fixture`
// read them back as records of their kind. Frames stay lines of their own,
// byte for byte, so a plain capture is a fixture without such lines.
//
// A line is a daemon record exactly when it begins with the 22 bytes
// kRecordLinePrefix (no ARI frame has a member named call_ledger_record).
// The line, written by JsonObjectWriter, members in this order:
//
//   {"call_ledger_record":{"kind":"gap","event_time_us":1795684560123456,
//    "received_at_us":1795684560123456,"reason":"...","payload":{...}}}
//
//   kind            string   gap, reconcile, note or cel; or malformed: a frame
//                            or REST body kept as received whose bytes hold a
//                            line break, so that it cannot be a line itself
//   event_time_us   integer  the record's event_time_us
//   received_at_us  integer  the record's received_at_us
//   reason          string   the record's reason
//   payload         any      the payload byte for byte, when it is JSON
//                            without a line break (CR or LF) in it
//   payload_text    string   instead, when the payload is UTF-8 but not such
//                            JSON
//   payload_hex     string   instead, the payload in hex, when not UTF-8
//
// (without the line break). Only these fields travel: the daemon's records
// have no asterisk_id, application, event_type, ids or truncated payload,
// and a record that has any cannot be written as a line. ParseRecordLine
// accepts exactly these members (one payload form) and gives back the same
// fields, payload byte for byte.
#pragma once

#include <string>
#include <string_view>

#include "core/record.h"
#include "core/status.h"

namespace callledger::payload {

inline constexpr std::string_view kRecordLinePrefix = "{\"call_ledger_record\":";

inline bool IsRecordLine(std::string_view line) { return line.starts_with(kRecordLinePrefix); }

// kInvalidInput for a kind other than gap/reconcile/note/cel/malformed or a
// field the line does not carry.
Result<std::string> EncodeRecordLine(const RecordDraft& record);
Result<std::string> EncodeRecordLine(const Record& record);
// kInvalidInput, with the reason, for anything but a line EncodeRecordLine
// could have written.
Result<RecordDraft> ParseRecordLine(std::string_view line);

}  // namespace callledger::payload
