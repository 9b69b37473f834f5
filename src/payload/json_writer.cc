#include "payload/json_writer.h"

#include <boost/json.hpp>

namespace callledger::payload {

void JsonObjectWriter::Key(std::string_view key) {
  if (out_.size() > 1) out_ += ',';
  out_ += boost::json::serialize(boost::json::string_view(key.data(), key.size()));
  out_ += ':';
}

JsonObjectWriter& JsonObjectWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  out_ += boost::json::serialize(boost::json::string_view(value.data(), value.size()));
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Int(std::string_view key, std::int64_t value) {
  Key(key);
  out_ += boost::json::serialize(boost::json::value(value));
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Uint(std::string_view key, std::uint64_t value) {
  Key(key);
  out_ += boost::json::serialize(boost::json::value(value));
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Bool(std::string_view key, bool value) {
  Key(key);
  out_ += value ? "true" : "false";
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Raw(std::string_view key, const JsonText& value) {
  Key(key);
  out_ += value.text();
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Object(std::string_view key, JsonObjectWriter inner) {
  Key(key);
  out_ += inner.Finish();
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Array(std::string_view key, JsonArrayWriter inner) {
  Key(key);
  out_ += inner.Finish();
  return *this;
}

std::string JsonObjectWriter::Finish() {
  out_ += '}';
  return std::move(out_);
}

void JsonArrayWriter::Next() {
  if (out_.size() > 1) out_ += ',';
}

JsonArrayWriter& JsonArrayWriter::String(std::string_view value) {
  Next();
  out_ += boost::json::serialize(boost::json::string_view(value.data(), value.size()));
  return *this;
}

JsonArrayWriter& JsonArrayWriter::Raw(const JsonText& value) {
  Next();
  out_ += value.text();
  return *this;
}

JsonArrayWriter& JsonArrayWriter::Object(JsonObjectWriter inner) {
  Next();
  out_ += inner.Finish();
  return *this;
}

std::string JsonArrayWriter::Finish() {
  out_ += ']';
  return std::move(out_);
}

}  // namespace callledger::payload
