// RecordJsonLine, the auditors' JSON lines: one JSON object per record with
// its fields and its frame, and still valid JSON (RFC 8259: UTF-8) for
// malformed records, whatever bytes they hold.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <span>
#include <string>
#include <vector>

#include "ari/frame_parser.h"
#include "ari/frame_record.h"
#include "audit/render.h"
#include "core/hex.h"
#include "fixture_lines.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"

namespace callledger::audit {
namespace {

namespace json = boost::json;
using testing::Decode;
using testing::Import;
using testing::Line;
using testing::ReadFixture;

TEST_CASE("RecordJsonLine is one JSON object with the record's fields and its frame") {
  const auto file = testing::CaptureDir() / "h-inbound-utf8-callername.call-center.jsonl";
  const std::vector<Line> lines = ReadFixture(file);
  store::MemoryEventLog log("pbx-json");
  Import(file, log);
  for (const auto& l : lines) {
    INFO("seq " << l.seq);
    const Record r = Decode(log, Seq{l.seq});
    const std::string text = RecordJsonLine(r);
    CHECK(text.find('\n') == std::string::npos);
    json::error_code ec;
    json::value v = json::parse(text, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(v.is_object());
    const json::object& o = v.as_object();
    for (const char* key : {"seq", "kind", "event_type", "event_time", "received_at", "channel_ids",
                            "payload", "node", "hash", "prev_hash"}) {
      CHECK(o.contains(key));
    }
    CHECK(o.at("seq").to_number<std::uint64_t>() == l.seq);
    CHECK(o.at("kind") == "ari_event");
    CHECK(o.at("node") == "pbx-json");
    CHECK(o.at("event_type").as_string() == l.type);
    CHECK(o.at("payload") == json::parse(l.text));  // the frame itself, not a string
    CHECK_FALSE(o.contains("payload_hex"));
    const json::array& ids = o.at("channel_ids").as_array();
    REQUIRE(ids.size() == r.channel_ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) CHECK(ids[i].as_string() == r.channel_ids[i]);
    if (!l.channel_id.empty()) {
      REQUIRE_FALSE(ids.empty());
      CHECK(ids[0].as_string() == l.channel_id);
    }
    // Event time in UTC: the +0500 stamp minus five hours.
    REQUIRE(o.at("event_time").is_string());
    const std::string ts(json::parse(l.text).at("timestamp").as_string());
    const int hour = std::stoi(ts.substr(11, 2));
    const std::string utc_prefix = ts.substr(0, 11) + (hour - 5 < 10 ? "0" : "") +
                                   std::to_string(hour - 5) + ts.substr(13, 10);
    REQUIRE(hour >= 5);
    CHECK_THAT(std::string(o.at("event_time").as_string()), Catch::StartsWith(utc_prefix));
    CHECK(o.at("received_at").is_string());
  }
}

TEST_CASE("RecordJsonLine of malformed records: text as a string, other bytes as hex") {
  store::MemoryEventLog log("pbx");
  ari::FrameParser parser;
  const std::string not_utf8 = std::string("{\"type\":\"X\",\"name\":\"") + "\xff\xfe" + "\"}";
  const std::string truncated = R"({"type":"StasisStart","args":["a",)";
  std::vector<RecordDraft> drafts = {ari::DraftFromFrame(parser, not_utf8, 5),
                                     ari::DraftFromFrame(parser, truncated, 6)};
  REQUIRE(drafts[0].kind == RecordKind::kMalformed);
  REQUIRE(drafts[1].kind == RecordKind::kMalformed);
  REQUIRE(log.Append(drafts).ok());

  json::value bad = json::parse(RecordJsonLine(Decode(log, Seq{1})));
  const json::object& o = bad.as_object();
  CHECK(o.at("kind") == "malformed");
  CHECK(o.at("payload").is_null());
  std::string hex;
  for (unsigned char c : not_utf8) {
    const char* digits = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 0xf];
  }
  REQUIRE(o.contains("payload_hex"));
  CHECK(o.at("payload_hex").as_string() == hex);
  REQUIRE(o.contains("reason"));
  CHECK_FALSE(o.at("reason").as_string().empty());
  CHECK(o.at("event_time").is_null());

  json::value text = json::parse(RecordJsonLine(Decode(log, Seq{2})));
  REQUIRE(text.at("payload").is_string());
  CHECK(text.at("payload").as_string() == truncated);
  CHECK_FALSE(text.as_object().contains("payload_hex"));
}

TEST_CASE("RecordJsonLine stays valid JSON for every kind of invalid UTF-8") {
  // Bytes a strict UTF-8 decoder rejects: a stray continuation byte, a
  // truncated sequence, overlong forms, UTF-16 surrogates, code points above
  // U+10FFFF and lead bytes that never occur. The frame parser rejects them
  // all (so they end up in malformed records); the JSON line must still be
  // JSON, which RFC 8259 requires to be UTF-8.
  const std::vector<std::string> bad = {
      "\x80",
      "\xc3",
      "\xc0\xaf",
      "\xc1\xbf",
      "\xe0\x80\xaf",
      "\xed\xa0\x80",
      "\xed\xbf\xbf",
      "\xf0\x80\x80\xaf",
      "\xf4\x90\x80\x80",
      "\xf5\x80\x80\x80",
      "\xf8\x88\x80\x80\x80",
      "\xff",
  };
  store::MemoryEventLog log("pbx");
  ari::FrameParser parser;
  std::vector<RecordDraft> drafts;
  for (const auto& b : bad) {
    drafts.push_back(ari::DraftFromFrame(parser, "{\"type\":\"X\",\"name\":\"" + b + "\"}", 1));
    drafts.push_back(ari::DraftFromFrame(parser, "not json " + b, 1));
  }
  REQUIRE(log.Append(drafts).ok());
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    INFO("record " << i + 1 << " payload hex "
                   << ToHex(
                          std::span(reinterpret_cast<const std::uint8_t*>(drafts[i].payload.data()),
                                    drafts[i].payload.size())));
    CHECK(drafts[i].kind == RecordKind::kMalformed);
    const std::string line = RecordJsonLine(Decode(log, Seq{i + 1}));
    json::error_code ec;
    json::value v = json::parse(line, ec);
    CHECK_FALSE(ec);
    if (ec) continue;
    CHECK(v.at("payload").is_null());
    REQUIRE(v.as_object().contains("payload_hex"));
    CHECK(v.at("payload_hex").as_string() ==
          ToHex(std::span(reinterpret_cast<const std::uint8_t*>(drafts[i].payload.data()),
                          drafts[i].payload.size())));
  }
}

TEST_CASE("RecordJsonLine keeps valid UTF-8 text that is not JSON as a string") {
  // Edge cases of the valid range: 2-, 3- and 4-byte forms, the last code
  // points before and after the surrogates, and U+10FFFF.
  const std::string text =
      "not json: \xd0\x8e\xd1\x82 \xe2\x82\xac \xf0\x9f\x98\x80 "
      "\xed\x9f\xbf \xee\x80\x80 \xf4\x8f\xbf\xbf \xe0\xa0\x80 \xf0\x90\x80\x80";
  store::MemoryEventLog log("pbx");
  ari::FrameParser parser;
  std::vector<RecordDraft> drafts = {ari::DraftFromFrame(parser, text, 1)};
  REQUIRE(drafts[0].kind == RecordKind::kMalformed);
  REQUIRE(log.Append(drafts).ok());
  json::value v = json::parse(RecordJsonLine(Decode(log, Seq{1})));
  REQUIRE(v.at("payload").is_string());
  CHECK(v.at("payload").as_string() == text);
  CHECK_FALSE(v.as_object().contains("payload_hex"));
}

}  // namespace
}  // namespace callledger::audit
