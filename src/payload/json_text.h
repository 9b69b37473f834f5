// JSON text that is known to be one valid JSON value, and the exact bytes of
// the members of a JSON object. The payload writers embed a JsonText into
// the JSON they write byte for byte (json_writer.h); the payload parsers get
// the bytes of each member back with ObjectMembers, so what a writer embedded
// is what a parser returns.
//
// Plain values; thread-compatible. Errors are kInvalidInput.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace callledger::payload {

class JsonText {
 public:
  // `text` unchanged, once simdjson (the parser the projector uses) has
  // accepted it as one JSON value. Whitespace around the value is kept.
  static Result<JsonText> Verbatim(std::string text);
  // Whether Verbatim would take `text`: ok, or kInvalidInput saying why.
  // Lets a caller keep text that is not JSON without giving it away first.
  static Status Check(std::string_view text);
  // The value `text` holds, as Boost.JSON writes it back: compact, members
  // in their order, strings re-escaped, numbers re-formatted. For values
  // whose meaning is kept but whose bytes are not evidence.
  static Result<JsonText> Compact(std::string_view text);

  const std::string& text() const { return text_; }
  friend bool operator==(const JsonText&, const JsonText&) = default;

 private:
  explicit JsonText(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// One member of a JSON object: its key (unescaped) and the exact bytes of its
// value, from just after the member's colon to just before the comma or
// brace that ends it (whitespace around the value included). `raw` points
// into the text given to ObjectMembers.
struct JsonMember {
  std::string key;
  std::string_view raw;
};

// The members of the JSON object `text`, in order. kInvalidInput when `text`
// is not valid JSON or not an object. `what` names the text in messages
// ("gap payload").
Result<std::vector<JsonMember>> ObjectMembers(std::string_view text, std::string_view what);

// The elements of the JSON array `text`, in order, each as the exact bytes
// of its slot: from just after the bracket or comma before it to just
// before the comma or bracket after it (whitespace around the value
// included), pointing into `text`. kInvalidInput when `text` is not valid
// JSON or not an array.
Result<std::vector<std::string_view>> ArrayElements(std::string_view text, std::string_view what);

// A member's value as a string, an integer or a boolean; kInvalidInput
// naming the member (and `what`) when it is of another type or out of range.
Result<std::string> StringValue(const JsonMember& member, std::string_view what);
Result<std::int64_t> Int64Value(const JsonMember& member, std::string_view what);
Result<std::uint64_t> Uint64Value(const JsonMember& member, std::string_view what);
Result<bool> BoolValue(const JsonMember& member, std::string_view what);

}  // namespace callledger::payload
