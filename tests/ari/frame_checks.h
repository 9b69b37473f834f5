// Helpers of the FrameParser tests (ari/frame_parser_*_test.cc): parse a
// frame that must be accepted or rejected, with Catch2 assertions (call them
// from a test), and a real StasisStart frame to parse.
#pragma once

#include <string_view>

#include "ari/frame_parser.h"
#include "core/status.h"

namespace callledger::testing {

// Parses a frame that must be accepted (with `parser`, or a fresh one).
ari::FrameSummary MustParse(ari::FrameParser& parser, std::string_view frame);
ari::FrameSummary MustParse(std::string_view frame);

// Parses a frame that must be rejected as kInvalidInput with a message;
// returns the error.
Status MustFail(ari::FrameParser& parser, std::string_view frame);
Status MustFail(std::string_view frame);

// A real StasisStart of the call channel (scenario a, call-center stream).
inline constexpr std::string_view kStasisStart =
    R"({"type":"StasisStart","timestamp":"2026-11-26T14:15:58.161+0500","args":["","kiruvchi","998901234567","712001122"],"channel":{"id":"1795684558.5","name":"Local/712001122@from-external-00000002;2","state":"Ring","protocol_id":"","caller":{"name":"","number":"998901234567"},"connected":{"name":"","number":"998901234567"},"accountcode":"","dialplan":{"context":"from-external","exten":"712001122","priority":3,"app_name":"Stasis","app_data":"call-center,,kiruvchi,998901234567,712001122"},"creationtime":"2026-11-26T14:15:58.161+0500","language":"en"},"asterisk_id":"02:fc:00:00:00:01","application":"call-center"})";

}  // namespace callledger::testing
