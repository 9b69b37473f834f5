#include "captures.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <utility>

#include "ari/timestamp.h"
#include "core/utc_time.h"
#include "support/fixtures.h"

namespace callledger::testing {

// Parses every captured stream once, with one parser for all of them (as
// the daemon would), and keeps the results for all the tests below.
const Captures& AllCaptures() {
  static const Captures captures = [] {
    Captures c;
    ari::FrameParser parser;
    for (const std::filesystem::path& path : CapturedStreams()) {
      Stream s;
      s.name = path.filename().string();
      s.observer = s.name.ends_with(".observer.jsonl");
      s.scenario = s.name.substr(0, s.name.find('.'));
      s.lines = ReadLines(path);
      for (std::size_t i = 0; i < s.lines.size(); ++i) {
        Result<ari::FrameSummary> r = parser.Parse(s.lines[i]);
        if (r.ok()) {
          s.frames.push_back(std::move(r).value());
        } else {
          c.errors.push_back(s.name + ":" + std::to_string(i + 1) + ": " + r.status().ToString());
          s.frames.emplace_back();
        }
      }
      c.streams.push_back(std::move(s));
    }
    return c;
  }();
  return captures;
}

const Stream& StreamNamed(const std::string& name) {
  for (const Stream& s : AllCaptures().streams) {
    if (s.name == name) return s;
  }
  static const Stream kNone;
  FAIL("no captured stream " << name);
  return kNone;  // Unreachable: FAIL throws.
}

// The index of the first frame of `type` whose channel_ids start with
// `channel` (any channel when empty).
std::size_t Find(const Stream& s, std::string_view type, std::string_view channel) {
  for (std::size_t i = 0; i < s.frames.size(); ++i) {
    const ari::FrameSummary& f = s.frames[i];
    if (f.type != type) continue;
    if (channel.empty() || (!f.channel_ids.empty() && f.channel_ids.front() == channel)) return i;
  }
  FAIL("no " << type << " for channel '" << channel << "' in " << s.name);
  return s.frames.size();  // Unreachable: FAIL throws.
}

std::string Utc(const std::optional<std::int64_t>& us) {
  return us ? FormatUtcMillis(*us) : std::string("(none)");
}

}  // namespace callledger::testing
