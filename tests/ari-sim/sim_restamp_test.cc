// ari-sim's --restamp (restamp.h) without sockets: ARI times and CEL
// eventtimes moved by whole milliseconds, only those members, each capture
// by its own shift; and how long the PBX stays away after a realtime drop
// (stream_clock.h, AwayUntil).
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "ari-sim/replay.h"
#include "ari-sim/restamp.h"
#include "ari-sim/stream_clock.h"
#include "ari/timestamp.h"

namespace callledger::arisim {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr std::int64_t kMs = 1000;
constexpr std::int64_t kHour = 3'600'000'000;

TEST_CASE("Restamp: an ARI time moves by whole ms and keeps its zone offset",
          "[ari-sim][restamp]") {
  CHECK(ShiftAriTime("2026-12-07T16:48:02.598+0500", 1402 * kMs) == "2026-12-07T16:48:04.000+0500");
  // Across midnight, a month and a year, in local time.
  CHECK(ShiftAriTime("2026-12-31T23:59:59.999+0500", 1 * kMs) == "2027-01-01T00:00:00.000+0500");
  CHECK(ShiftAriTime("2026-12-07T01:00:00.000-0330", -2 * kHour) == "2026-12-06T23:00:00.000-0330");
  // The instant moves by the shift exactly.
  const std::string before = "2026-12-07T16:48:02.598+0500";
  const auto after = ShiftAriTime(before, 123'456 * kMs);
  REQUIRE(after.has_value());
  CHECK(*ari::ParseAriTimestamp(*after) - *ari::ParseAriTimestamp(before) == 123'456 * kMs);
  // Other forms are not Asterisk's: left alone.
  CHECK_FALSE(ShiftAriTime("2026-12-07T11:48:02.598Z", kMs).has_value());
  CHECK_FALSE(ShiftAriTime("2026-12-07T16:48:02+0500", kMs).has_value());
  CHECK_FALSE(ShiftAriTime("yesterday", kMs).has_value());
}

TEST_CASE("Restamp: a CEL eventtime moves by the shift, with six digits", "[ari-sim][restamp]") {
  CHECK(ShiftCelTime("1796644082.598629", 1402 * kMs) == "1796644084.000629");
  CHECK(ShiftCelTime("1796644082.5", -500 * kMs) == "1796644082.000000");
  CHECK(ShiftCelTime("1796644082.000001", -1796644082 * 1'000'000LL) == "0.000001");
  CHECK_FALSE(ShiftCelTime("1796644082", kMs).has_value());
  CHECK_FALSE(ShiftCelTime("1796644082.1234567", kMs).has_value());
  CHECK_FALSE(ShiftCelTime("0.000500", -kMs).has_value());  // before 1970
  CHECK_FALSE(ShiftCelTime("2026-12-07 11:48:02", kMs).has_value());
}

TEST_CASE("Restamp: a frame's timestamp and creationtimes move, nothing else",
          "[ari-sim][restamp]") {
  const std::string frame =
      R"({"type":"ChannelVarset","timestamp":"2026-12-07T16:48:02.598+0500","variable":"X",)"
      R"("value":"{\"timestamp\":\"2026-12-07T16:48:02.598+0500\"}","channel":{"id":"1796644082.435",)"
      R"("creationtime":"2026-12-07T16:48:02.597+0500","language":"en"},"peer":{"creationtime":)"
      R"("2026-12-07T16:48:01.000+0500"}})";
  const std::string moved = RestampFrame(frame, 2 * kMs);
  CHECK(
      moved ==
      R"({"type":"ChannelVarset","timestamp":"2026-12-07T16:48:02.600+0500","variable":"X",)"
      R"("value":"{\"timestamp\":\"2026-12-07T16:48:02.598+0500\"}","channel":{"id":"1796644082.435",)"
      R"("creationtime":"2026-12-07T16:48:02.599+0500","language":"en"},"peer":{"creationtime":)"
      R"("2026-12-07T16:48:01.002+0500"}})");
  CHECK(RestampFrame(frame, 0) == frame);
  CHECK(RestampFrame("not json at all", kHour) == "not json at all");

  const std::string line =
      R"({"eventtype":"HANGUP","eventtime":"1796643893.391738","uniqueid":"1796643888.5",)"
      R"("linkedid":"1796643888.4","eventextra":"{\"hangupcause\":16}"})";
  CHECK(RestampCelLine(line, 3 * kMs) ==
        R"({"eventtype":"HANGUP","eventtime":"1796643893.394738","uniqueid":"1796643888.5",)"
        R"("linkedid":"1796643888.4","eventextra":"{\"hangupcause\":16}"})");
  CHECK(RestampCelLine("\x01\x02 garbage", kHour) == "\x01\x02 garbage");
}

TEST_CASE("Restamp: each capture's first stamped frame lands on the moment it is due",
          "[ari-sim][restamp]") {
  std::vector<StreamFrame> frames = FramesFromLines(
      {R"({"type":"A","timestamp":"2026-12-07T16:44:48.000+0500"})", R"({"type":"B"})",
       R"({"type":"C","timestamp":"2026-12-07T16:44:49.500+0500"})"},
      0);
  const auto second = FramesFromLines(
      {R"({"type":"D"})", R"({"type":"E","timestamp":"2026-12-07T16:45:30.000+0500"})"}, 1);
  frames.insert(frames.end(), second.begin(), second.end());
  const auto third = FramesFromLines({R"({"type":"F"})"}, 2);
  frames.insert(frames.end(), third.begin(), third.end());
  PacingOptions pacing;
  const std::vector<microseconds> offsets = ComputeOffsets(frames, pacing);
  const std::int64_t start_wall = *ari::ParseAriTimestamp("2026-12-08T10:00:00.000+0000") + 1234;
  const std::vector<std::int64_t> shifts = CaptureShifts(frames, offsets, start_wall);
  REQUIRE(shifts.size() == 3);
  CHECK(shifts[0] % kMs == 0);
  CHECK(*frames[0].time_us + shifts[0] == start_wall - 234);  // floored to the ms
  CHECK(*frames[4].time_us + shifts[1] == start_wall - 234 + offsets[4].count());
  CHECK(shifts[2] == shifts[1]);  // no stamp of its own

  Replay replay(frames, pacing, {});
  replay.Restamp(shifts);
  CHECK(replay.frames()[2].bytes == RestampFrame(frames[2].bytes, shifts[0]));
  CHECK(*replay.frames()[2].time_us == *frames[2].time_us + shifts[0]);
  CHECK(replay.frames()[4].bytes == RestampFrame(frames[4].bytes, shifts[1]));
}

TEST_CASE("Realtime drops: the PBX is away until the gap happened and the next frame is near",
          "[ari-sim][clock][realtime]") {
  const std::vector<microseconds> offsets = {microseconds(0), microseconds(100'000),
                                             microseconds(200'000), microseconds(2'000'000),
                                             microseconds(2'050'000)};
  // Gap frames 3..4 after a drop after frame 2: away until frame 4 happened
  // (2.0 s), frame 5 being due only 50 ms later.
  CHECK(AwayUntil(offsets, 4, milliseconds(300)) == microseconds(2'000'000));
  // A gap of 0 after frame 3: until the lead-in before frame 4.
  CHECK(AwayUntil(offsets, 3, milliseconds(300)) == microseconds(1'700'000));
  CHECK(AwayUntil(offsets, 3, milliseconds(0)) == microseconds(2'000'000));
  // A gap to the end of the stream: the lead-in after its last frame.
  CHECK(AwayUntil(offsets, 5, milliseconds(300)) == microseconds(2'350'000));
  CHECK(AwayUntil(offsets, 0, milliseconds(300)) == microseconds(0));
}

}  // namespace
}  // namespace callledger::arisim
