// What the restart tests know about a capture of fixtures/asterisk-cel,
// read here with Boost.JSON rather than with the code under test
// (ari/frame_names.h): each frame's ids, the stream's clock, which channels
// are calls and when they began, and what was live after a prefix.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace callledger::testing {

struct Capture {
  std::vector<std::string> frames;         // its non-empty lines
  std::vector<std::int64_t> clock;         // T(i): the latest timestamp of frames 1..i, µs
  std::vector<std::set<std::string>> ids;  // per frame, IdsOf
};

// fixtures/asterisk-cel/<name>, read.
Capture ReadCapture(const std::string& name);
std::filesystem::path CelCapture(const std::string& name);

// Views of the frames, as RestartPlan::Make takes them.
std::vector<std::string_view> Views(const std::vector<std::string>& lines);

// Every id a frame mentions, broadly: the `id` of every top-level object
// member (channel, bridge or anything else), the members of a `channels`
// array in one, and the id in a `target_uri`.
std::set<std::string> IdsOf(std::string_view frame);

// The ids frames 1..count mention.
std::set<std::string> IdsUpTo(const Capture& capture, std::size_t count);

// How many frames are stamped (on the clock) no later than `time_us`.
std::size_t FramesUpTo(const Capture& capture, std::int64_t time_us);

// The call channels (entering Stasis with the call-center app, not as an
// agent leg) whose first frame is stamped after `time_us`.
std::vector<std::string> CallsBegunAfter(const Capture& capture, std::int64_t time_us);

// The call channels live after frames 1..count: entered Stasis as calls,
// and neither destroyed nor out of Stasis yet.
std::set<std::string> CallsLiveAfter(const Capture& capture, std::size_t count);

}  // namespace callledger::testing
