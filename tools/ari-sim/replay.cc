#include "ari-sim/replay.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cassert>
#include <cmath>
#include <fstream>
#include <sstream>

#include "ari-sim/restamp.h"
#include "ari/timestamp.h"

namespace callledger::arisim {
namespace json = boost::json;
using std::chrono::microseconds;

namespace {

std::optional<std::string> TimestampText(std::string_view frame) {
  json::error_code ec;
  const json::value parsed = json::parse(frame, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const json::value* ts = parsed.get_object().if_contains("timestamp");
  if (ts == nullptr || !ts->is_string()) return std::nullopt;
  return std::string(ts->get_string());
}

StreamFrame MakeFrame(std::string bytes, std::size_t file_index) {
  StreamFrame frame;
  if (auto text = TimestampText(bytes)) frame.time_us = ari::ParseAriTimestamp(*text);
  frame.bytes = std::move(bytes);
  frame.file_index = file_index;
  return frame;
}

}  // namespace

std::vector<StreamFrame> FramesFromLines(const std::vector<std::string>& lines,
                                         std::size_t file_index) {
  std::vector<StreamFrame> frames;
  frames.reserve(lines.size());
  for (const auto& line : lines) {
    if (!line.empty()) frames.push_back(MakeFrame(line, file_index));
  }
  return frames;
}

Result<std::vector<StreamFrame>> LoadFrames(const std::vector<std::string>& files) {
  std::vector<StreamFrame> frames;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::ifstream in(files[i], std::ios::binary);
    if (!in) return InvalidInput("cannot read " + files[i]);
    std::string line;
    std::size_t before = frames.size();
    while (std::getline(in, line)) {
      if (!line.empty()) frames.push_back(MakeFrame(std::move(line), i));
      line.clear();
    }
    if (in.bad()) return InvalidInput("error reading " + files[i]);
    if (frames.size() == before) return InvalidInput(files[i] + " holds no frame");
  }
  if (frames.empty()) return InvalidInput("no frames to serve");
  return frames;
}

namespace {

// Frame index i (0-based) at `rate` frames per second is due i/rate s in.
microseconds RateOffset(std::size_t index, double rate) {
  return microseconds(
      static_cast<std::int64_t>(std::llround(static_cast<double>(index) * 1e6 / rate)));
}

}  // namespace

microseconds ScaleRecorded(std::int64_t recorded_us, double speed) {
  return microseconds(
      static_cast<std::int64_t>(std::llround(static_cast<double>(recorded_us) / speed)));
}

std::vector<microseconds> ComputeOffsets(const std::vector<StreamFrame>& frames,
                                         const PacingOptions& pacing) {
  std::vector<microseconds> offsets(frames.size(), microseconds(0));
  if (pacing.mode == PacingMode::kFast) return offsets;
  if (pacing.mode == PacingMode::kRate) {
    for (std::size_t i = 0; i < frames.size(); ++i) offsets[i] = RateOffset(i, pacing.rate);
    return offsets;
  }
  const auto scaled = [&pacing](std::int64_t recorded_us) {
    return ScaleRecorded(recorded_us, pacing.speed);
  };
  // The current file, its first stamp and the offset it is due at, and the
  // latest stamp so far; `latest` carries over to the next file, to measure
  // the pause between the two.
  std::optional<std::size_t> file;
  std::optional<std::int64_t> file_first;
  std::optional<std::int64_t> latest;
  microseconds file_base(0);
  microseconds previous(0);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const StreamFrame& frame = frames[i];
    if (frame.file_index != file) {
      file = frame.file_index;
      file_first.reset();
    }
    if (frame.time_us) {
      const std::int64_t stamp = *frame.time_us;
      if (!file_first) {
        std::int64_t pause = 0;
        if (latest) {
          pause = std::min<std::int64_t>(std::max<std::int64_t>(0, stamp - *latest),
                                         pacing.max_file_gap.count());
        }
        file_base = previous + scaled(pause);
        file_first = stamp;
        latest = stamp;
      } else {
        latest = std::max(*latest, stamp);
      }
      offsets[i] = file_base + scaled(*latest - *file_first);
    } else {
      offsets[i] = previous;
    }
    previous = offsets[i];
  }
  return offsets;
}

std::vector<microseconds> ComputeDelays(const std::vector<StreamFrame>& frames,
                                        const PacingOptions& pacing) {
  std::vector<microseconds> delays = ComputeOffsets(frames, pacing);
  for (std::size_t i = delays.size(); i-- > 1;) delays[i] -= delays[i - 1];
  return delays;
}

Status ValidatePacing(const PacingOptions& pacing) {
  if (pacing.mode == PacingMode::kFast && pacing.clock == ClockMode::kRealtime) {
    return InvalidInput(
        "--fast cannot be combined with --realtime: --fast sends as fast as the client reads, so "
        "there is no clock to run on while no client is connected (use --speed F or --rate F)");
  }
  if (pacing.mode == PacingMode::kRate) {
    if (!(pacing.rate > 0) || !std::isfinite(pacing.rate)) {
      return InvalidInput("--rate must be a positive number");
    }
    return Status::Ok();
  }
  if (!(pacing.speed > 0) || !std::isfinite(pacing.speed)) {
    return InvalidInput("--speed must be a positive number");
  }
  return Status::Ok();
}

Status ValidateDrops(const std::vector<DropPoint>& drops) {
  std::uint64_t end_of_previous = 0;  // frame number of the previous gap's end
  for (const auto& drop : drops) {
    if (drop.after_frame < 1) return InvalidInput("--drop-at counts frames from 1");
    if (drop.after_frame <= end_of_previous) {
      return InvalidInput("--drop-at " + std::to_string(drop.after_frame) +
                          " must come after the previous drop point and its gap (frame " +
                          std::to_string(end_of_previous) + ")");
    }
    end_of_previous = drop.after_frame + drop.gap;
  }
  return Status::Ok();
}

Replay::Replay(std::vector<StreamFrame> frames, const PacingOptions& pacing,
               std::vector<DropPoint> drops, SimRestarts restarts)
    : frames_(std::move(frames)),
      drops_(std::move(drops)),
      clock_(pacing.clock),
      restarts_(std::move(restarts)) {
  assert(!frames_.empty());
  assert(restarts_.asterisk_infos.size() == restarts_.plan.restarts().size());
  offsets_ = ComputeOffsets(frames_, pacing);
}

void Replay::ApplyThrough(std::size_t index) {
  while (applied_ <= index && applied_ < frames_.size()) {
    // A gone frame never happened: the process that would have sent it is
    // dead.
    if (!restarts_.plan.Gone(applied_ + 1)) state_.Apply(frames_[applied_].bytes);
    ++applied_;
  }
}

void Replay::ApplyNext() {
  if (!done()) ApplyThrough(next_);
}

Replay::Sent Replay::MarkSent() {
  Sent sent;
  if (done()) return sent;
  ApplyThrough(next_);
  ++next_;
  ++sent_;
  sent.number = next_;
  sent.restart = restarts_.plan.After(sent.number);
  if (sent.restart != nullptr) {
    // PlanSimRestarts keeps drop points off a restart's frame.
    sent.drop = true;
    ++restarts_done_;
    state_ = ari::LiveState();
    return sent;
  }
  // Drop points the stream has passed without stopping (N beyond a gap that
  // ran to the end cannot happen: ValidateDrops orders them) are skipped.
  while (next_drop_ < drops_.size() && drops_[next_drop_].after_frame < sent.number) ++next_drop_;
  if (next_drop_ < drops_.size() && drops_[next_drop_].after_frame == sent.number) {
    const DropPoint& drop = drops_[next_drop_++];
    sent.drop = true;
    const std::size_t end = std::min<std::size_t>(frames_.size(), next_ + drop.gap);
    sent.first_skipped = next_ + 1;
    sent.last_skipped = end;
    if (clock_ == ClockMode::kRealtime) {
      // The gap's frames happen in their time, skipped one by one.
      unsendable_through_ = end;
      return sent;
    }
    if (end > next_) ApplyThrough(end - 1);
    skipped_ += end - next_;
    next_ = end;
  }
  return sent;
}

void Replay::Restamp(const std::vector<std::int64_t>& shift_by_file) {
  assert(applied_ == 0);
  if (shift_by_file.empty()) return;
  for (StreamFrame& f : frames_) {
    const std::int64_t shift = shift_by_file[std::min(f.file_index, shift_by_file.size() - 1)];
    f.bytes = RestampFrame(f.bytes, shift);
    if (f.time_us) *f.time_us += shift;
  }
}

void Replay::SkipNext() {
  if (done()) return;
  ApplyThrough(next_);
  ++next_;
  ++skipped_;
}

std::string Replay::CurrentTimestampText() const {
  const std::size_t index = applied_ == 0 ? 0 : applied_ - 1;
  return TimestampText(frames_[index].bytes).value_or(std::string());
}

}  // namespace callledger::arisim
