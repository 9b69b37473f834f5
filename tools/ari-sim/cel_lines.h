// The CEL lines ari-sim writes beside its stream (--cel FILE --cel-out
// PATH), and when each is due on the replay clock. No I/O but loading.
//
// A CEL file is what Asterisk's cel_custom appended during a capture
// (fixtures/asterisk-cel/<s>.cel.jsonl): one JSON object per line, its
// `eventtime` "<Unix seconds>.<6-digit µs>" in UTC. That is the clock of the
// ARI timestamps, so a line's time maps onto the replay clock like a frame's
// (replay.h). The i-th CEL file goes with the i-th capture FILE.
//
// A line with eventtime t of capture j follows the frames before the first
// frame of capture j stamped later than t (and every frame of the captures
// before j): LineCue::after_frames counts them. Its offset is
// base(j) + (t - first(j)) / speed, where first(j) is capture j's first
// stamp and base(j) the offset that frame is due at; it is kept between the
// offset of the last frame it follows and that of the next frame, so lines
// and frames keep the order of their times, and a capture's lines all come
// before the next capture's frames (whose start may be pulled forward by
// the capped pause between files). With --fast and --rate, whose clocks
// ignore the timestamps, a line is due with the last frame it follows.
//
// Lines are written in file order: a line stamped earlier than the one
// before it goes right after that one, and a line without a readable
// eventtime (not JSON, no such field, another format, blank) goes with the
// line before it (the first one of all at offset 0).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ari-sim/replay.h"
#include "ari-sim/stream_clock.h"
#include "core/status.h"

namespace callledger::arisim {

struct CelLine {
  std::string bytes;                    // the line, without its line feed
  std::optional<std::int64_t> time_us;  // `eventtime` as UTC µs, if readable
  std::size_t file_index = 0;           // the capture it goes with
};

// The `eventtime` of a CEL JSON line as UTC µs (ari/cel_line_facts.h,
// shared with the restart filter): a string of digits with an optional
// fraction of 1 to 6 digits ("1796643888.352865"), or a JSON integer of
// seconds. nullopt for anything else.
std::optional<std::int64_t> ParseCelEventTime(std::string_view line);

// The lines of a file's bytes: each '\n' ends one; a last line without one
// is a line too (it is written with its "\n" added).
std::vector<CelLine> CelLinesFromText(std::string_view text, std::size_t file_index);

struct CelLoad {
  std::vector<CelLine> lines;
  std::uint64_t without_time = 0;  // lines with no readable eventtime
  std::string first_without_time;  // "FILE line K" of the first such line
};

// Reads the files in order, the i-th with file_index i; an empty path
// stands for a capture without CEL lines. kInvalidInput when a file cannot
// be read.
Result<CelLoad> LoadCelLines(const std::vector<std::string>& files);

// The cue of every line, as described above. `offsets` are the frames'
// (ComputeOffsets(frames, pacing)).
std::vector<LineCue> ScheduleCelLines(const std::vector<CelLine>& lines,
                                      const std::vector<StreamFrame>& frames,
                                      const std::vector<std::chrono::microseconds>& offsets,
                                      const PacingOptions& pacing);

// The lines still to write, in order, with their cues.
class CelFeed {
 public:
  // `cues` must have one entry per line.
  CelFeed(std::vector<CelLine> lines, std::vector<LineCue> cues);

  std::size_t line_count() const { return lines_.size(); }
  std::size_t written() const { return next_; }
  bool done() const { return next_ >= lines_.size(); }
  // Only when !done().
  const std::string& next_line() const { return lines_[next_].bytes; }
  const LineCue& next_cue() const { return cues_[next_]; }
  void Advance() { ++next_; }
  // --restamp (restamp.h): moves every line's eventtime by its capture's
  // shift (by file_index; the last shift for captures beyond). Before the
  // first line is written.
  void Restamp(const std::vector<std::int64_t>& shift_by_file);

 private:
  std::vector<CelLine> lines_;
  std::vector<LineCue> cues_;
  std::size_t next_ = 0;
};

}  // namespace callledger::arisim
