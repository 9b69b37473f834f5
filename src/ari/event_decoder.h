// Decoding of ARI frames (the payloads of `ari_event` records) into the
// projector's typed events (core/ari_event.h). The payloads of the daemon's
// own records (gap, reconcile, note) are payload/'s. No I/O; one EventDecoder
// per thread (it reuses a simdjson parser).
//
// Errors are kInvalidInput with a message; the projector skips a record that
// does not decode, and the caller logs it (invariant 6).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/ari_event.h"
#include "core/status.h"

namespace callledger::ari {

class EventDecoder {
 public:
  EventDecoder();
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Whether the kPadding bytes after a frame's end are readable (allocated;
  // their values do not matter). When they are, the frame is parsed where
  // it lies; otherwise it is first copied into a padded buffer.
  enum class Padding : std::uint8_t { kNone, kPadded };
  static constexpr std::size_t kPadding = 64;

  // One ARI frame.
  Result<AriEvent> DecodeEvent(std::string_view frame);
  // The same into an existing event, reusing its buffers (what a fold over
  // millions of records uses).
  Status DecodeEventInto(std::string_view frame, AriEvent* event, Padding padding = Padding::kNone);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A fast look at a compact frame without parsing it: if `key` is one of the
// leading string-valued members of the top-level object (as in Asterisk's
// compact frames: {"variable":"X",... or {"type":"T","timestamp":"...",
// "dialplan_app":"X",...) and neither holds an escape, sets *value and
// returns true. Returns false when it cannot tell (pretty-printed JSON,
// escapes, another order); the caller then decodes the frame in full.
bool LeadingStringField(std::string_view frame, std::string_view key, std::string_view* value);

}  // namespace callledger::ari
