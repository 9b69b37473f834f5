#include "payload/json_text.h"

#include <simdjson.h>

#include <boost/json.hpp>

namespace callledger::payload {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Status Invalid(std::string_view what, std::string_view why) {
  return InvalidInput(std::string(what) + " " + std::string(why));
}

// The bytes of an on-demand value as the JSON text holds them, before the
// surrounding whitespace is added back.
simdjson::simdjson_result<std::string_view> ValueBytes(simdjson::ondemand::value value) {
  simdjson::ondemand::json_type type;
  if (auto err = value.type().get(type)) return err;
  if (type == simdjson::ondemand::json_type::object) {
    simdjson::ondemand::object object;
    if (auto err = value.get_object().get(object)) return err;
    return object.raw_json();
  }
  if (type == simdjson::ondemand::json_type::array) {
    simdjson::ondemand::array array;
    if (auto err = value.get_array().get(array)) return err;
    return array.raw_json();
  }
  return value.raw_json_token();
}

}  // namespace

Status JsonText::Check(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text.data(), text.size()).get(root)) {
    return InvalidInput(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  return Status::Ok();
}

Result<JsonText> JsonText::Verbatim(std::string text) {
  RETURN_IF_ERROR(Check(text));
  return JsonText(std::move(text));
}

Result<JsonText> JsonText::Compact(std::string_view text) {
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec) return InvalidInput("not valid JSON: " + ec.message());
  return JsonText(boost::json::serialize(value));
}

Result<std::vector<JsonMember>> ObjectMembers(std::string_view text, std::string_view what) {
  // The DOM parser validates all of it; the on-demand parser, which only
  // skips over what it is not asked about, then finds where each member is.
  {
    simdjson::dom::parser validator;
    simdjson::dom::element root;
    if (auto err = validator.parse(text.data(), text.size()).get(root)) {
      return Invalid(what, std::string("is not valid JSON: ") + simdjson::error_message(err));
    }
    if (!root.is_object()) return Invalid(what, "is not a JSON object");
  }
  const simdjson::padded_string padded(text);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) {
    return Invalid(what, "is not a JSON object");
  }
  std::vector<JsonMember> members;
  for (auto field : object) {
    std::string_view key;
    simdjson::ondemand::value value;
    std::string_view bytes;
    if (field.unescaped_key().get(key) || field.value().get(value) ||
        ValueBytes(value).get(bytes)) {
      return Invalid(what, "has a member that cannot be read");
    }
    // Widen [bytes] to the member's whole slot: back over whitespace to the
    // colon, forward over whitespace to the comma or closing brace.
    std::size_t begin = static_cast<std::size_t>(bytes.data() - padded.data());
    std::size_t end = begin + bytes.size();
    while (begin > 0 && IsJsonSpace(text[begin - 1])) --begin;
    while (end < text.size() && IsJsonSpace(text[end])) ++end;
    if (begin == 0 || text[begin - 1] != ':' || end >= text.size() ||
        (text[end] != ',' && text[end] != '}')) {
      return Invalid(what, "has a member whose value cannot be delimited");
    }
    members.push_back(JsonMember{std::string(key), text.substr(begin, end - begin)});
  }
  return members;
}

Result<std::vector<std::string_view>> ArrayElements(std::string_view text, std::string_view what) {
  {
    simdjson::dom::parser validator;
    simdjson::dom::element root;
    if (auto err = validator.parse(text.data(), text.size()).get(root)) {
      return Invalid(what, std::string("is not valid JSON: ") + simdjson::error_message(err));
    }
    if (!root.is_array()) return Invalid(what, "is not a JSON array");
  }
  const simdjson::padded_string padded(text);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::array array;
  if (parser.iterate(padded).get(doc) || doc.get_array().get(array)) {
    return Invalid(what, "is not a JSON array");
  }
  std::vector<std::string_view> elements;
  for (auto element : array) {
    simdjson::ondemand::value value;
    std::string_view bytes;
    if (element.get(value) || ValueBytes(value).get(bytes)) {
      return Invalid(what, "has an element that cannot be read");
    }
    // Widen [bytes] to the element's whole slot, as ObjectMembers does.
    std::size_t begin = static_cast<std::size_t>(bytes.data() - padded.data());
    std::size_t end = begin + bytes.size();
    while (begin > 0 && IsJsonSpace(text[begin - 1])) --begin;
    while (end < text.size() && IsJsonSpace(text[end])) ++end;
    if (begin == 0 || (text[begin - 1] != '[' && text[begin - 1] != ',') || end >= text.size() ||
        (text[end] != ',' && text[end] != ']')) {
      return Invalid(what, "has an element that cannot be delimited");
    }
    elements.push_back(text.substr(begin, end - begin));
  }
  return elements;
}

namespace {

Status WrongType(const JsonMember& member, std::string_view what, std::string_view type) {
  return Invalid(what, "member \"" + member.key + "\" is not " + std::string(type));
}

}  // namespace

Result<std::string> StringValue(const JsonMember& member, std::string_view what) {
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(member.raw, ec);
  if (ec || !v.is_string()) return WrongType(member, what, "a string");
  return std::string(v.as_string());
}

Result<std::int64_t> Int64Value(const JsonMember& member, std::string_view what) {
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(member.raw, ec);
  if (ec || !v.is_int64()) return WrongType(member, what, "an integer (64-bit signed)");
  return v.as_int64();
}

Result<std::uint64_t> Uint64Value(const JsonMember& member, std::string_view what) {
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(member.raw, ec);
  if (!ec && v.is_int64() && v.as_int64() >= 0) return static_cast<std::uint64_t>(v.as_int64());
  if (ec || !v.is_uint64()) return WrongType(member, what, "an integer (64-bit unsigned)");
  return v.as_uint64();
}

Result<bool> BoolValue(const JsonMember& member, std::string_view what) {
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(member.raw, ec);
  if (ec || !v.is_bool()) return WrongType(member, what, "a boolean");
  return v.as_bool();
}

}  // namespace callledger::payload
