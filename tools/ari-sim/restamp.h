// Restamping (--restamp): a capture's calls moved to the present, as if they
// were happening now. A client's own clock then agrees with the stamps, as
// it does with a real Asterisk, whose ARI timestamps and CEL eventtimes are
// the PBX's clock: a CEL reader's windows, taken on the daemon's clock
// after a gap, hold the lines of the events the gap hid.
//
// Each capture FILE gets one shift, in whole milliseconds (ARI stamps carry
// milliseconds, so every stamp moves exactly), chosen when the stream's
// clock starts: the capture's first stamped frame is stamped with the
// moment it is due, floored to the millisecond. What moves:
//   - in a frame, the value of every "timestamp" and "creationtime" member
//     (Asterisk's `2026-12-07T16:48:02.598+0500`; the zone offset is kept,
//     the local time moves);
//   - in a CEL line, "eventtime" (`<Unix seconds>.<microseconds>`, as
//     cel_custom writes it without a dateformat).
// Every other byte stays as it was; a value in another form is left alone.
// At --speed 1 with --realtime every frame and CEL line is then stamped
// with the moment it is due (to the millisecond); at another speed the
// capture's own spacing is kept and stamps drift from the clock.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ari-sim/replay.h"

namespace callledger::arisim {

// An ARI time (`YYYY-MM-DDTHH:MM:SS.mmm±HHMM`) moved by `shift_us` (whole
// ms), in the same form and offset; nullopt for any other text.
std::optional<std::string> ShiftAriTime(std::string_view text, std::int64_t shift_us);

// A CEL eventtime (`<seconds>.<1 to 6 digits>`) moved by `shift_us`, with
// six digits; nullopt for any other text or a time before 1970.
std::optional<std::string> ShiftCelTime(std::string_view text, std::int64_t shift_us);

// The frame with its "timestamp" and "creationtime" values moved.
std::string RestampFrame(std::string_view frame, std::int64_t shift_us);
// The CEL line with its "eventtime" value moved.
std::string RestampCelLine(std::string_view line, std::int64_t shift_us);

// Each capture's shift (by file_index, one per capture up to the last
// frame's): `start_wall_us` (the wall-clock time of offset 0 on the replay
// clock) + the offset its first stamped frame is due at - that frame's
// stamp, floored to whole ms. A capture without a stamped frame gets the
// shift of the capture before it (0 for the first).
std::vector<std::int64_t> CaptureShifts(const std::vector<StreamFrame>& frames,
                                        const std::vector<std::chrono::microseconds>& offsets,
                                        std::int64_t start_wall_us);

}  // namespace callledger::arisim
