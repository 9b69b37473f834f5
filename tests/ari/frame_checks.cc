#include "frame_checks.h"

#include <catch2/catch.hpp>
#include <utility>

namespace callledger::testing {

ari::FrameSummary MustParse(ari::FrameParser& parser, std::string_view frame) {
  Result<ari::FrameSummary> result = parser.Parse(frame);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return std::move(result).value();
}

ari::FrameSummary MustParse(std::string_view frame) {
  ari::FrameParser parser;
  return MustParse(parser, frame);
}

// Parses a frame that must be rejected; returns the error.
Status MustFail(ari::FrameParser& parser, std::string_view frame) {
  Result<ari::FrameSummary> result = parser.Parse(frame);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == Code::kInvalidInput);
  CHECK_FALSE(result.status().message().empty());
  return result.status();
}

Status MustFail(std::string_view frame) {
  ari::FrameParser parser;
  return MustFail(parser, frame);
}

}  // namespace callledger::testing
