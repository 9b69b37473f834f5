// Every frame of the real Asterisk captures (fixtures/asterisk), parsed once
// for all the tests of an executable (fixture_frames_test.cc,
// fixture_spot_checks_test.cc), with one FrameParser for all of them as the
// daemon would. Catch2 assertions: call the functions from a test.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ari/frame_parser.h"

namespace callledger::testing {

struct Stream {
  std::string name;      // e.g. "a-inbound-answered.observer.jsonl"
  std::string scenario;  // e.g. "a-inbound-answered"
  bool observer = false;
  std::vector<std::string> lines;
  std::vector<ari::FrameSummary> frames;  // Parallel to lines; empty on error.
};

struct Captures {
  std::vector<Stream> streams;
  std::vector<std::string> errors;  // "file:line: message" for every rejected frame.
};

// The captures, parsed on the first call.
const Captures& AllCaptures();

// The stream of that file name; FAILs when there is none.
const Stream& StreamNamed(const std::string& name);

// The index of the first frame of `type` whose channel_ids start with
// `channel` (any channel when empty); FAILs when there is none.
std::size_t Find(const Stream& s, std::string_view type, std::string_view channel = {});

// The time as FormatUtcMillis writes it, or "(none)".
std::string Utc(const std::optional<std::int64_t>& us);

}  // namespace callledger::testing
