// FrameParser: what it rejects (kInvalidInput with a reason fit for a
// `malformed` record): frames that are not JSON objects with a string type,
// truncated or invalid JSON, invalid UTF-8, frames over the size or depth
// limit, binary garbage; custom limits, and a parser still usable after all
// of them.
#include "ari/frame_parser.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "frame_checks.h"

namespace callledger::ari {
namespace {

using Strings = std::vector<std::string>;
using testing::kStasisStart;
using testing::MustFail;
using testing::MustParse;

TEST_CASE("Frames that are not JSON objects with a string type are rejected", "[frame_parser]") {
  CHECK(MustFail("").message() == "frame is empty");
  CHECK_THAT(MustFail("   \n").message(), Catch::Contains("empty"));
  CHECK(MustFail("{}").message() == "frame has no \"type\" field");
  CHECK(MustFail(R"({"kind":"StasisStart","channel":{"type":"x"}})").message() ==
        "frame has no \"type\" field");
  CHECK(MustFail(R"({"type":5})").message() == "frame's \"type\" field is a number, not a string");
  CHECK_THAT(MustFail(R"({"type":null})").message(), Catch::Contains("not a string"));
  CHECK_THAT(MustFail(R"({"type":["StasisStart"]})").message(), Catch::Contains("not a string"));
  CHECK_THAT(MustFail(R"({"type":{"name":"x"}})").message(), Catch::Contains("not a string"));
  CHECK(MustFail("[]").message() == "frame is not a JSON object (it is an array)");
  CHECK(MustFail("42").message() == "frame is not a JSON object (it is a number)");
  CHECK(MustFail(R"("x")").message() == "frame is not a JSON object (it is a string)");
  CHECK(MustFail("null").message() == "frame is not a JSON object (it is null)");
  CHECK(MustFail("true").message() == "frame is not a JSON object (it is a boolean)");
}

TEST_CASE("Truncated JSON is rejected at every length", "[frame_parser]") {
  FrameParser parser;
  // Every proper prefix of a frame is invalid JSON: its closing brace is
  // its last byte.
  for (std::size_t n = 1; n < kStasisStart.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    const Status status = MustFail(parser, kStasisStart.substr(0, n));
    CHECK_THAT(status.message(), Catch::StartsWith("frame is not valid JSON: ") ||
                                     Catch::StartsWith("frame is not a JSON object"));
  }
  // The parser is still usable after all those errors.
  CHECK(MustParse(parser, kStasisStart).type == "StasisStart");
}

TEST_CASE("A syntax error anywhere is rejected, even in fields we never read", "[frame_parser]") {
  const char* const bad[] = {
      R"({"type":"X","caller_presentation":01})",          // Leading zero.
      R"({"type":"X","soft":tru})",                        // Bad literal.
      R"({"type":"X","soft":nul})",                        // Bad literal.
      R"({"type":"X","cause":1.})",                        // Bad number.
      R"({"type":"X","cause":-})",                         // Bad number.
      R"({"type":"X","a":[1,2,]})",                        // Trailing comma.
      R"({"type":"X","a":{"b":1,}})",                      // Trailing comma.
      R"({"type":"X",})",                                  // Trailing comma.
      R"({"type":"X" "a":1})",                             // Missing comma.
      R"({"type":"X","a" 1})",                             // Missing colon.
      R"({"type":"X","a":'single'})",                      // Single quotes.
      R"({"type":"X","a":"bad \x escape"})",               // Bad escape.
      R"({"type":"X","a":"\u12"})",                        // Short \u escape.
      R"({"type":"X","channel":{"caller":{"name":"a"}})",  // Unbalanced.
      R"({"type":"X"}})",                                  // Extra brace.
      R"({"type":"X"} {"type":"Y"})",                      // Two documents.
      R"({"type":"X"},)",                                  // Trailing comma.
      R"({type:"X"})",                                     // Unquoted key.
      R"({"type":"X","a":NaN})",                           // Not JSON.
      "{\"type\":\"X\",\"a\":\"line\nfeed\"}",             // Raw control char.
  };
  FrameParser parser;
  for (const char* frame : bad) {
    INFO(frame);
    CHECK_THAT(MustFail(parser, frame).message(), Catch::StartsWith("frame is not valid JSON: "));
  }
  // A raw NUL inside a string is a control character, not the end.
  const std::string nul("{\"type\":\"X\",\"a\":\"x\0y\"}", 21);
  CHECK_THAT(MustFail(parser, nul).message(), Catch::StartsWith("frame is not valid JSON: "));
}

TEST_CASE("Invalid UTF-8 is rejected", "[frame_parser]") {
  FrameParser parser;
  // \xC3 starts a two-byte sequence; \x28 is not a continuation byte.
  const Status in_type = MustFail(parser, "{\"type\":\"Stasis\xC3\x28Start\"}");
  CHECK_THAT(in_type.message(), Catch::Contains("UTF-8"));
  // In a caller name we never read.
  const Status in_name = MustFail(
      parser,
      "{\"type\":\"X\",\"channel\":{\"id\":\"1.1\",\"caller\":{\"name\":\"O\xC3\x28tkir\"}}}");
  CHECK_THAT(in_name.message(), Catch::Contains("UTF-8"));
  // Overlong encoding of '/', a lone continuation byte, a truncated
  // sequence at the end, and a UTF-16 surrogate encoded as UTF-8.
  for (const char* bytes : {"\xC0\xAF", "\x80", "\xE2\x82", "\xED\xA0\x80", "\xFF"}) {
    const std::string frame = std::string("{\"type\":\"X\",\"a\":\"") + bytes + "\"}";
    INFO(frame);
    CHECK_THAT(MustFail(parser, frame).message(), Catch::Contains("UTF-8"));
  }
  // Valid multi-byte UTF-8 passes through unchanged.
  const FrameSummary s = MustParse(parser,
                                   "{\"type\":\"X\",\"channel\":{\"id\":\"1.1\",\"name\":"
                                   "\"O\xCA\xBBtkir \xD0\x8E\xF0\x9F\x93\x9E\"}}");
  CHECK(s.channel_name == "O\xCA\xBBtkir \xD0\x8E\xF0\x9F\x93\x9E");
}

TEST_CASE("Frames over the size limit are rejected before parsing", "[frame_parser]") {
  FrameParser parser;
  REQUIRE(parser.limits().max_frame_bytes == 1 << 20);
  // Valid JSON, so only the size can reject it.
  std::string big = R"({"type":"X","pad":")";
  big += std::string(2 << 20, 'a');
  big += R"("})";
  const Status status = MustFail(parser, big);
  CHECK_THAT(status.message(), Catch::Contains(std::to_string(big.size()) + " bytes"));
  CHECK_THAT(status.message(), Catch::Contains("1048576"));

  // Exactly at the limit is fine; one byte more is not.
  std::string exact = R"({"type":"X","pad":")";
  exact += std::string((1 << 20) - exact.size() - 2, 'a');
  exact += R"("})";
  REQUIRE(exact.size() == 1 << 20);
  CHECK(MustParse(parser, exact).type == "X");
  const std::string over = R"({"type":"X","pad":"a)" + exact.substr(19);
  REQUIRE(over.size() == (1 << 20) + 1);
  CHECK_THAT(MustFail(parser, over).message(), Catch::Contains("1048577 bytes"));
}

TEST_CASE("Deep nesting gives an error, not a crash", "[frame_parser]") {
  FrameParser parser;
  REQUIRE(parser.limits().max_depth == 64);
  const std::size_t kDeep = 100000;
  SECTION("balanced") {
    const std::string frame = std::string(kDeep, '[') + std::string(kDeep, ']');
    CHECK(MustFail(parser, frame).message() == "frame is nested deeper than 64 levels");
  }
  SECTION("inside an object") {
    const std::string frame =
        R"({"type":"X","a":)" + std::string(kDeep, '[') + std::string(kDeep, ']') + "}";
    CHECK(MustFail(parser, frame).message() == "frame is nested deeper than 64 levels");
  }
  SECTION("unbalanced: only opening brackets") {
    // simdjson finds the imbalance before the depth: still a clear error.
    CHECK_THAT(MustFail(parser, std::string(kDeep, '[')).message(),
               Catch::StartsWith("frame is not valid JSON"));
    CHECK_THAT(MustFail(parser, R"({"type":"X","a":)" + std::string(kDeep, '{')).message(),
               Catch::StartsWith("frame is not valid JSON"));
  }
  SECTION("64 levels are allowed, 65 are not") {
    // The frame object is level 1 and every value inside a container is one
    // level deeper, scalars included: real frames reach level 4
    // (channel.caller.name).
    auto nested = [](std::size_t levels) {
      return R"({"type":"X","a":)" + std::string(levels - 1, '[') + std::string(levels - 1, ']') +
             "}";
    };
    CHECK(MustParse(parser, nested(64)).type == "X");
    CHECK(MustFail(parser, nested(65)).message() == "frame is nested deeper than 64 levels");
    auto scalar_at = [](std::size_t level) {
      return R"({"type":"X","a":)" + std::string(level - 2, '[') + "1" +
             std::string(level - 2, ']') + "}";
    };
    CHECK(MustParse(parser, scalar_at(64)).type == "X");
    CHECK(MustFail(parser, scalar_at(65)).message() == "frame is nested deeper than 64 levels");
  }
  // And the parser still works afterwards.
  CHECK(MustParse(parser, kStasisStart).type == "StasisStart");
}

TEST_CASE("Binary garbage is rejected", "[frame_parser]") {
  FrameParser parser;
  std::mt19937 rng(1795684558);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(1, 2000);
  for (int i = 0; i < 2000; ++i) {
    std::string frame(static_cast<std::size_t>(length(rng)), '\0');
    for (char& c : frame) c = static_cast<char>(byte(rng));
    // Half of them look like the start of an object, to get past stage 1.
    if (i % 2 == 1) frame[0] = '{';
    Result<FrameSummary> result = parser.Parse(frame);
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.status().code() == Code::kInvalidInput);
  }
  const std::string zeros(64, '\0');
  CHECK_THAT(MustFail(parser, zeros).message(), Catch::StartsWith("frame is"));
  CHECK(MustParse(parser, kStasisStart).type == "StasisStart");
}

TEST_CASE("Custom limits apply", "[frame_parser]") {
  FrameLimits limits;
  limits.max_frame_bytes = 64;
  limits.max_depth = 3;
  FrameParser parser(limits);
  CHECK(parser.limits().max_frame_bytes == 64);
  CHECK(parser.limits().max_depth == 3);

  CHECK(MustParse(parser, R"({"type":"X","a":{"b":1}})").type == "X");
  CHECK(MustParse(parser, R"({"type":"X","a":{"b":[]}})").type == "X");
  CHECK(MustFail(parser, R"({"type":"X","a":{"b":[1]}})").message() ==
        "frame is nested deeper than 3 levels");
  const std::string frame65 = R"({"type":"X","pad":")" + std::string(65 - 21, 'a') + R"("})";
  REQUIRE(frame65.size() == 65);
  CHECK(MustFail(parser, frame65).message() == "frame is 65 bytes, larger than the 64-byte limit");
  CHECK(MustParse(parser, frame65.substr(0, 19) + frame65.substr(20)).type == "X");
  // A real frame is over this limit.
  CHECK_THAT(MustFail(parser, kStasisStart).message(), Catch::Contains("64-byte limit"));

  SECTION("a depth limit below 2 rejects every frame, without crashing") {
    // A frame's fields are at level 2.
    for (std::size_t depth : {0, 1}) {
      FrameParser flat(FrameLimits{1024, depth});
      CHECK_THAT(MustFail(flat, R"({"type":"X"})").message(), Catch::Contains("deeper"));
    }
    FrameParser two(FrameLimits{1024, 2});
    CHECK(MustParse(two, R"({"type":"X","a":1})").type == "X");
    CHECK_THAT(MustFail(two, R"({"type":"X","a":[1]})").message(), Catch::Contains("deeper"));
  }
}

TEST_CASE("ParseFrame uses default limits", "[frame_parser]") {
  Result<FrameSummary> ok = ParseFrame(kStasisStart);
  REQUIRE(ok.ok());
  CHECK(ok->channel_ids == Strings{"1795684558.5"});
  CHECK_FALSE(ParseFrame("{}").ok());
  CHECK_FALSE(ParseFrame(std::string((1 << 20) + 1, ' ')).ok());
}

}  // namespace
}  // namespace callledger::ari
