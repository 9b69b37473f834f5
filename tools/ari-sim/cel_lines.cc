#include "ari-sim/cel_lines.h"

#include <algorithm>
#include <cassert>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "ari-sim/restamp.h"
#include "ari/cel_line_facts.h"

namespace callledger::arisim {
using std::chrono::microseconds;

namespace {

// One capture's frames: where they lie in the stream, its first stamp and
// the offset that frame is due at, and the latest stamp up to each frame
// (the lowest value before the first stamp), which never decreases.
struct CaptureSpan {
  std::size_t begin = 0;
  std::optional<std::int64_t> first;
  microseconds base{0};
  std::vector<std::int64_t> latest;
};

std::vector<CaptureSpan> Spans(const std::vector<StreamFrame>& frames,
                               const std::vector<microseconds>& offsets, std::size_t captures) {
  std::vector<CaptureSpan> spans(captures);
  for (std::size_t j = 0; j < captures; ++j) {
    // Frames come file after file.
    spans[j].begin = static_cast<std::size_t>(
        std::partition_point(frames.begin(), frames.end(),
                             [j](const StreamFrame& f) { return f.file_index < j; }) -
        frames.begin());
  }
  std::int64_t latest = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const std::size_t j = frames[i].file_index;
    if (j >= captures) break;
    CaptureSpan& span = spans[j];
    if (i == span.begin) latest = std::numeric_limits<std::int64_t>::min();
    if (const auto stamp = frames[i].time_us) {
      if (!span.first) {
        span.first = *stamp;
        span.base = offsets[i];
      }
      latest = std::max(latest, *stamp);
    }
    span.latest.push_back(latest);
  }
  return spans;
}

LineCue CueAt(std::int64_t time_us, const CaptureSpan& span,
              const std::vector<microseconds>& offsets, const PacingOptions& pacing) {
  const auto later = std::upper_bound(span.latest.begin(), span.latest.end(), time_us);
  LineCue cue;
  cue.after_frames = span.begin + static_cast<std::size_t>(later - span.latest.begin());
  cue.offset = cue.after_frames > 0 ? offsets[cue.after_frames - 1] : microseconds(0);
  if (pacing.mode == PacingMode::kRecorded && span.first) {
    cue.offset =
        std::max(cue.offset, span.base + ScaleRecorded(time_us - *span.first, pacing.speed));
    if (cue.after_frames < offsets.size()) {
      cue.offset = std::min(cue.offset, offsets[cue.after_frames]);
    }
  }
  return cue;
}

}  // namespace

std::optional<std::int64_t> ParseCelEventTime(std::string_view line) {
  return ari::ParseCelEventTime(line);
}

std::vector<CelLine> CelLinesFromText(std::string_view text, std::size_t file_index) {
  std::vector<CelLine> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    CelLine line;
    line.bytes = std::string(text.substr(0, end));
    line.time_us = ParseCelEventTime(line.bytes);
    line.file_index = file_index;
    lines.push_back(std::move(line));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return lines;
}

Result<CelLoad> LoadCelLines(const std::vector<std::string>& files) {
  CelLoad load;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i].empty()) continue;
    std::ifstream in(files[i], std::ios::binary);
    if (!in) return InvalidInput("cannot read " + files[i]);
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) return InvalidInput("error reading " + files[i]);
    std::vector<CelLine> lines = CelLinesFromText(text.str(), i);
    for (std::size_t k = 0; k < lines.size(); ++k) {
      if (lines[k].time_us) continue;
      if (load.without_time++ == 0) {
        load.first_without_time = files[i] + " line " + std::to_string(k + 1);
      }
    }
    std::move(lines.begin(), lines.end(), std::back_inserter(load.lines));
  }
  return load;
}

std::vector<LineCue> ScheduleCelLines(const std::vector<CelLine>& lines,
                                      const std::vector<StreamFrame>& frames,
                                      const std::vector<microseconds>& offsets,
                                      const PacingOptions& pacing) {
  assert(offsets.size() == frames.size());
  std::size_t captures = frames.empty() ? 0 : frames.back().file_index + 1;
  for (const CelLine& line : lines) captures = std::max(captures, line.file_index + 1);
  const std::vector<CaptureSpan> spans = Spans(frames, offsets, captures);

  std::vector<LineCue> cues;
  cues.reserve(lines.size());
  LineCue previous;
  for (const CelLine& line : lines) {
    LineCue cue = previous;
    if (line.time_us) cue = CueAt(*line.time_us, spans[line.file_index], offsets, pacing);
    cue.after_frames = std::max(cue.after_frames, previous.after_frames);
    cue.offset = std::max(cue.offset, previous.offset);
    cues.push_back(cue);
    previous = cue;
  }
  return cues;
}

CelFeed::CelFeed(std::vector<CelLine> lines, std::vector<LineCue> cues)
    : lines_(std::move(lines)), cues_(std::move(cues)) {
  assert(lines_.size() == cues_.size());
}

void CelFeed::Restamp(const std::vector<std::int64_t>& shift_by_file) {
  assert(next_ == 0);
  if (shift_by_file.empty()) return;
  for (CelLine& line : lines_) {
    const std::int64_t shift = shift_by_file[std::min(line.file_index, shift_by_file.size() - 1)];
    line.bytes = RestampCelLine(line.bytes, shift);
    if (line.time_us) *line.time_us += shift;
  }
}

}  // namespace callledger::arisim
