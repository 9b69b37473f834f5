// Reading one window of CEL lines into `cel` payloads (payload/cel.h): the
// file at cel.file, and its rotated predecessor cel.file + ".1" when the
// window may begin in it. No threads and no clock: the daemon's collector
// (daemon/cel_collector.h) decides when to read, and a simulated run
// (replay/cut_replay.h) reads a capture's complete file the same way; this
// decides what is read and what the record says about it.
//
// What is read, and what the notes say (all of a window's notes go on its
// last record, so an auditor sees why a window has fewer lines than hoped):
//
//   - The file is opened once and read as it is then (CelFile): the lines
//     whose eventtime lies in the window, and the bad lines next to them.
//   - The predecessor is read first, when the window may have begun before
//     the file: the file is missing or empty, it was rotated since the last
//     collection (another inode, or smaller than before), or its first line
//     is later than the window's start. If there is no predecessor, a note
//     says the window's beginning could not be read.
//   - A missing or unreadable file is not an error of the collection: the
//     window still gets a record, with no lines and a note saying why (an
//     auditor must see that a gap could not be healed), and read_errors
//     counts it. So does a read that fails part way (the lines before it
//     are kept).
//   - The bytes after the file's last line feed (a line Asterisk has not
//     finished) are left for a later window, with a note.
//
// Every window gets at least one record. Records are handed out as they
// fill, so a window of any size takes memory for two records at most.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cel/cel_file.h"
#include "payload/cel.h"

namespace callledger::cel {

struct CelWindowOptions {
  std::filesystem::path file;  // cel.file, as configured
  // A payload stays under this size (a line is never split; lines are at
  // most scan.max_line_bytes).
  std::size_t max_record_bytes = 1 << 20;
  CelScanOptions scan;
};

struct CelWindowResult {
  std::uint64_t records = 0;
  std::uint64_t lines = 0;
  std::uint64_t bad_lines = 0;
  std::uint64_t read_errors = 0;   // files that could not be opened or read
  bool handed_out = true;          // false when `emit` refused a record
  std::vector<std::string> notes;  // what the last record says
};

// Reads [since_us, until_us] and hands out its payloads in order through
// `emit` (which returns false to stop: the ledger is shutting down).
// `notes` go first in the last record's notes. `last_seen` is what the
// previous collection saw of the file (for rotation), and is updated.
CelWindowResult ReadCelWindow(const CelWindowOptions& options, std::int64_t since_us,
                              std::int64_t until_us, std::vector<std::string> notes,
                              std::optional<CelFileIdentity>* last_seen,
                              const std::function<bool(payload::CelPayload)>& emit);

}  // namespace callledger::cel
