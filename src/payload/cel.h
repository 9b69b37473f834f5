// The `cel` record: Asterisk's own CEL lines for the window of a gap, kept
// as evidence (issue 12). ARI never replays what a disconnected client
// missed; the CEL log on the PBX's disk does not miss it. After every gap
// the daemon reads the lines whose eventtime lies in the gap's window and
// records them here, byte for byte, so that the projector can heal the
// calls the gap hid. One window may take several records (parts), each at
// most cel.max_record_bytes; each record holds the lines of one file.
//
// The record: kind `cel`, event_time_us = until_us (the window's end: the
// reconcile's time), received_at_us = when the daemon read the lines (its
// clock), reason = CelReason(payload), no ids.
//
// The payload, one JSON object written by JsonObjectWriter (json_writer.h),
// members in this order; docs/log_format.md has the same table:
//
//   file       string   the file the lines are from: cel.file as configured,
//                       or its rotated predecessor (cel.file + ".1")
//   since_us   integer  the window's start, UTC µs (a margin before the last
//                       record heard before the gap)
//   until_us   integer  the window's end, UTC µs (the reconcile's time)
//   part       integer  1, 2, ...: this record's place among the window's
//   last_part  boolean  true on the window's last record
//   lines      array    every CEL line of `file` whose eventtime lies in
//                       [since_us, until_us], in file order, each byte for
//                       byte as Asterisk wrote it (without its line feed),
//                       embedded once it has been validated as JSON
//   bad_lines  array    lines met among them that are not CEL lines, kept
//                       so nothing is lost: {"offset":INT,"why":STRING,
//                       "text":STRING} ("hex":STRING instead of "text" when
//                       the bytes are not UTF-8); `offset` is where the line
//                       begins in `file`
//   notes      array    strings: what the reader saw (a missing file, a
//                       rotation, a last line not yet ended, a settle wait
//                       cut short...); all of a window's notes are on its
//                       last record
//
// ParseCel accepts exactly these members (each once) and gives back the
// same CelPayload: the lines byte for byte, the bad lines' bytes exactly.
// For every payload EncodeCel writes, EncodeCel(ParseCel(p)) == p.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.h"
#include "core/status.h"
#include "payload/json_text.h"

namespace callledger::payload {

struct CelBadLine {
  std::uint64_t offset = 0;  // where the line begins in the file
  std::string why;           // "not JSON: ...", "no eventtime", "longer than ..."
  std::string bytes;         // the line without its line feed (or its kept part)

  friend bool operator==(const CelBadLine&, const CelBadLine&) = default;
};

struct CelPayload {
  std::string file;
  std::int64_t since_us = 0;
  std::int64_t until_us = 0;
  std::uint64_t part = 1;
  bool last_part = true;
  std::vector<JsonText> lines;
  std::vector<CelBadLine> bad_lines;
  std::vector<std::string> notes;

  friend bool operator==(const CelPayload&, const CelPayload&) = default;
};

std::string EncodeCel(const CelPayload& cel);
// kInvalidInput, with the reason, for anything EncodeCel could not have
// written (a missing or unknown member, a wrong type, a bad line with both
// or neither of text and hex, hex that is not hex).
Result<CelPayload> ParseCel(std::string_view payload);

// "CEL evidence for 2026-12-07T11:48:00.000Z..2026-12-07T11:48:10.000Z: 120
// lines, 0 bad, from /var/log/asterisk/cel-custom/cel.jsonl (part 1, last)".
std::string CelReason(const CelPayload& cel);
// The record, ready to append; `read_at_us` is when the lines were read.
RecordDraft CelDraft(const CelPayload& cel, std::int64_t read_at_us);

// What each element adds to EncodeCel's size, so that a writer can cut a
// window into records of a bounded size: a line's bytes and its comma; a
// bad line's object and its comma. EncodeCel of a payload is at most the
// size of the payload without lines and bad lines plus these.
std::size_t CelLineCost(const JsonText& line);
std::size_t CelBadLineCost(const CelBadLine& bad);

}  // namespace callledger::payload
