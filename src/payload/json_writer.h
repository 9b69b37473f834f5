// JsonObjectWriter: writes one JSON object, member by member, in the order
// the calls come. This is how every payload of the daemon's own records is
// written (gap.h, reconcile.h, note.h, record_line.h), so their bytes are
// fixed by this file:
//
//   - no whitespace anywhere: `{"a":1,"b":"x"}`;
//   - keys and string values are escaped by Boost.JSON: `"` and `\` get a
//     backslash, the control characters U+0008, U+0009, U+000A, U+000C and
//     U+000D become \b \t \n \f \r, the other characters below U+0020 become
//     \u00XX (lowercase hex); every other byte, UTF-8 included, is written
//     as it is;
//   - integers in decimal, as Boost.JSON writes them; booleans as true/false;
//   - a JsonText is copied byte for byte (it was validated when made), and
//     so is a nested object or array another writer wrote.
//
// JsonArrayWriter writes one array the same way: `[1,"x",{...}]`.
//
// Not thread-safe; one writer per object or array written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "payload/json_text.h"

namespace callledger::payload {

class JsonArrayWriter;

class JsonObjectWriter {
 public:
  JsonObjectWriter& String(std::string_view key, std::string_view value);
  JsonObjectWriter& Int(std::string_view key, std::int64_t value);
  JsonObjectWriter& Uint(std::string_view key, std::uint64_t value);
  JsonObjectWriter& Bool(std::string_view key, bool value);
  JsonObjectWriter& Raw(std::string_view key, const JsonText& value);
  // A nested object, written by another writer (which is spent).
  JsonObjectWriter& Object(std::string_view key, JsonObjectWriter inner);
  // A nested array, written by an array writer (which is spent).
  JsonObjectWriter& Array(std::string_view key, JsonArrayWriter inner);
  // The object's text; the writer is spent.
  std::string Finish();

 private:
  void Key(std::string_view key);
  std::string out_ = "{";
};

class JsonArrayWriter {
 public:
  JsonArrayWriter& String(std::string_view value);
  JsonArrayWriter& Raw(const JsonText& value);
  JsonArrayWriter& Object(JsonObjectWriter inner);
  // The array's text; the writer is spent.
  std::string Finish();

 private:
  void Next();
  std::string out_ = "[";
};

}  // namespace callledger::payload
