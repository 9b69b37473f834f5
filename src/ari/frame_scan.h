// One pass over an ARI frame (frame_parser.cc's first half, internal to
// src/ari): simdjson's DOM parser validates the whole frame, then one walk
// over the top-level fields in document order keeps views of what the
// summary needs, before `type` (which need not come first) says how to read
// them. FrameParser turns the views into a FrameSummary.
//
// The views point into the parser's buffers: valid until its next parse.
// Not thread-safe: one parser and one FrameFields per FrameParser.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string_view>
#include <vector>

#include "ari/frame_parser.h"
#include "core/status.h"

namespace callledger::ari::internal {

// The string value of `element`, or a null view (data() == nullptr) when it
// is not a string. A view rather than an optional: small enough for GCC to
// inline at -O2, and it runs for most fields of every frame.
inline std::string_view StringOrNull(simdjson::dom::element element) {
  std::string_view s;
  if (element.get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

// What one pass over an object's fields tells us about it. A single pass,
// not at_key() per field: at_key() is a linear scan each time.
struct ObjectFacts {
  // Each view is empty when the field is absent or not a string.
  std::string_view id;
  bool has_channel_fields = false;
  bool has_bridge_fields = false;
  std::string_view target_uri;
  std::string_view name;
  std::string_view creationtime;
};

// Views of one frame's fields, valid until the next parse. A default
// (null) view means absent; a present empty string has a non-null data().
struct FrameFields {
  std::optional<simdjson::dom::element> type;
  std::string_view timestamp, asterisk_id, application, variable, value, dialplan_app,
      dialplan_app_data;
  std::optional<simdjson::dom::array> args;
  std::optional<ObjectFacts> subject;  // The `channel` object.
  // Other channels and bridges, in document order, possibly repeated.
  std::vector<std::string_view> channels;
  std::vector<std::string_view> bridges;

  void Clear() {
    // Keeps the vectors' capacity: no allocation per frame.
    channels.clear();
    bridges.clear();
    type.reset();
    timestamp = asterisk_id = application = variable = value = dialplan_app = dialplan_app_data =
        std::string_view();
    args.reset();
    subject.reset();
  }
};

// A simdjson error as the frame's Status: kInvalidInput naming what is wrong
// (UTF-8, depth, JSON), except kInternal for an allocation failure, which is
// not the frame's fault.
Status JsonError(simdjson::error_code error, const FrameLimits& limits);

// Validates `frame` with `parser` and fills `fields` (cleared first; reused
// from frame to frame so that its vectors keep their capacity). The error is
// the frame's Status: not valid JSON or UTF-8, too deep, not an object, no
// `type` or a `type` that is not a string.
Status ScanFrame(simdjson::dom::parser& parser, std::string_view frame, const FrameLimits& limits,
                 FrameFields& fields);

}  // namespace callledger::ari::internal
