// The `cel` record's payload (payload/cel.h): its exact bytes, the CEL lines
// embedded byte for byte, bad lines kept as text or hex, round trips, and
// payloads EncodeCel could not have written giving kInvalidInput.
#include "payload/cel.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "payload/json_text.h"
#include "payload/json_writer.h"
#include "support/fixtures.h"

namespace callledger::payload {
namespace {

JsonText Json(std::string text) {
  auto j = JsonText::Verbatim(std::move(text));
  REQUIRE(j.ok());
  return *j;
}

// The first lines of a real CEL capture, as Asterisk wrote them.
std::vector<std::string> CapturedLines(std::size_t n) {
  auto lines = testing::ReadLines(testing::SourceDir() / "fixtures" / "asterisk-cel" /
                                  "h-inbound-utf8-callername.cel.jsonl");
  lines.resize(n);
  return lines;
}

CelPayload Sample() {
  CelPayload cel;
  cel.file = "/var/log/asterisk/cel-custom/cel.jsonl";
  cel.since_us = 1796644080000000;
  cel.until_us = 1796644088472000;
  cel.part = 2;
  cel.last_part = true;
  for (const auto& line : CapturedLines(3)) cel.lines.push_back(Json(line));
  cel.bad_lines.push_back({120, "CEL line is not valid JSON: x", "{\"eventtype\":\"HANG"});
  cel.bad_lines.push_back({4096, "no eventtime", std::string("\xff\xfe\x00 bin", 7)});
  cel.notes = {"window from the disconnect", "a \"quoted\" note"};
  return cel;
}

TEST_CASE("cel payload: members in order, lines embedded byte for byte") {
  CelPayload cel;
  cel.file = "/tmp/cel.jsonl";
  cel.since_us = 10;
  cel.until_us = 20;
  cel.lines = {Json(R"({"eventtype":"ANSWER","eventtime":"0.000015"})"), Json(R"( {"a" : 1} )")};
  cel.bad_lines = {{7, "no eventtime", "{}"}, {9, "not JSON", "\x01"}};
  cel.notes = {"n"};
  CHECK(EncodeCel(cel) ==
        R"({"file":"/tmp/cel.jsonl","since_us":10,"until_us":20,"part":1,"last_part":true,)"
        R"("lines":[{"eventtype":"ANSWER","eventtime":"0.000015"}, {"a" : 1} ],)"
        R"("bad_lines":[{"offset":7,"why":"no eventtime","text":"{}"},)"
        R"({"offset":9,"why":"not JSON","text":"\u0001"}],"notes":["n"]})");
  cel.last_part = false;
  cel.lines.clear();
  cel.bad_lines.clear();
  cel.notes.clear();
  CHECK(EncodeCel(cel) ==
        R"({"file":"/tmp/cel.jsonl","since_us":10,"until_us":20,"part":1,"last_part":false,)"
        R"("lines":[],"bad_lines":[],"notes":[]})");
}

TEST_CASE("cel payload: parse gives back every line byte for byte, and the same bytes again") {
  const CelPayload cel = Sample();
  const std::string bytes = EncodeCel(cel);
  auto back = ParseCel(bytes);
  REQUIRE(back.ok());
  CHECK(*back == cel);
  REQUIRE(back->lines.size() == 3);
  const auto captured = CapturedLines(3);
  for (std::size_t i = 0; i < captured.size(); ++i) CHECK(back->lines[i].text() == captured[i]);
  // UTF-8 caller names stay raw, as Asterisk wrote them.
  CHECK(bytes.find(captured[0]) != std::string::npos);
  // Bytes that are not UTF-8 travel as hex.
  CHECK(bytes.find(R"("hex":"fffe002062696e")") != std::string::npos);
  CHECK(back->bad_lines[1].bytes == std::string("\xff\xfe\x00 bin", 7));
  CHECK(EncodeCel(*back) == bytes);
}

TEST_CASE("cel record: kind, times, reason and payload") {
  const CelPayload cel = Sample();
  const RecordDraft d = CelDraft(cel, 1796644090123456);
  CHECK(d.kind == RecordKind::kCel);
  CHECK(d.event_time_us == cel.until_us);
  CHECK(d.received_at_us == 1796644090123456);
  CHECK(d.payload == EncodeCel(cel));
  CHECK(d.reason ==
        "CEL evidence for 2026-12-07T11:48:00.000Z..2026-12-07T11:48:08.472Z: 3 lines, 2 bad, "
        "from /var/log/asterisk/cel-custom/cel.jsonl (part 2, last)");
  CHECK(d.channel_ids.empty());
  CHECK(d.event_type.empty());
}

TEST_CASE("cel payload: the costs bound the encoded size") {
  CelPayload cel = Sample();
  CelPayload empty = cel;
  empty.lines.clear();
  empty.bad_lines.clear();
  std::size_t bound = EncodeCel(empty).size();
  for (const auto& line : cel.lines) bound += CelLineCost(line);
  for (const auto& bad : cel.bad_lines) bound += CelBadLineCost(bad);
  // One comma per element but the first of each of the two arrays.
  CHECK(EncodeCel(cel).size() + 2 == bound);
}

TEST_CASE("cel payload: anything EncodeCel could not have written is kInvalidInput") {
  const std::string good = EncodeCel(Sample());
  REQUIRE(ParseCel(good).ok());
  const std::vector<std::string> bad = {
      "",
      "[]",
      "{",
      R"({"file":"f"})",
      // A member twice, a member unknown, a member of the wrong type.
      good.substr(0, good.size() - 1) + R"(,"notes":[]})",
      good.substr(0, good.size() - 1) + R"(,"x":1})",
      R"({"file":1,"since_us":1,"until_us":2,"part":1,"last_part":true,"lines":[],"bad_lines":[],"notes":[]})",
      R"({"file":"f","since_us":"1","until_us":2,"part":1,"last_part":true,"lines":[],"bad_lines":[],"notes":[]})",
      R"({"file":"f","since_us":1,"until_us":2,"part":-1,"last_part":true,"lines":[],"bad_lines":[],"notes":[]})",
      R"({"file":"f","since_us":1,"until_us":2,"part":1,"last_part":1,"lines":[],"bad_lines":[],"notes":[]})",
      R"({"file":"f","since_us":1,"until_us":2,"part":1,"last_part":true,"lines":{},"bad_lines":[],"notes":[]})",
      R"({"file":"f","since_us":1,"until_us":2,"part":1,"last_part":true,"lines":[],"bad_lines":[],"notes":[1]})",
      // Bad lines: both forms, neither, hex that is not hex, an unknown member.
      R"({"file":"f","since_us":1,"until_us":2,"part":1,"last_part":true,"lines":[],)"
      R"("bad_lines":[{"offset":1,"why":"w","text":"a","hex":"61"}],"notes":[]})",
      R"({"file":"f","since_us":1,"until_us":2,"part":1,"last_part":true,"lines":[],)"
      R"("bad_lines":[{"offset":1,"why":"w"}],"notes":[]})",
      R"({"file":"f","since_us":1,"until_us":2,"part":1,"last_part":true,"lines":[],)"
      R"("bad_lines":[{"offset":1,"why":"w","hex":"6"}],"notes":[]})",
      R"({"file":"f","since_us":1,"until_us":2,"part":1,"last_part":true,"lines":[],)"
      R"("bad_lines":[{"offset":1,"why":"w","text":"a","at":3}],"notes":[]})",
      R"({"file":"f","since_us":1,"until_us":2,"part":1,"last_part":true,"lines":[],)"
      R"("bad_lines":["a"],"notes":[]})",
  };
  for (const auto& payload : bad) {
    INFO(payload);
    auto r = ParseCel(payload);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidInput);
  }
  // Every cut of a good payload fails cleanly, never crashes.
  for (std::size_t n = 0; n < good.size(); n += 7) {
    auto r = ParseCel(good.substr(0, n));
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("array elements: the exact bytes of each slot, and arrays and booleans written") {
  auto elements = ArrayElements("[ 1 ,\"a,b\", {\"c\":[2]}\n,[] ]", "t");
  REQUIRE(elements.ok());
  REQUIRE(elements->size() == 4);
  CHECK((*elements)[0] == " 1 ");
  CHECK((*elements)[1] == "\"a,b\"");
  CHECK((*elements)[2] == " {\"c\":[2]}\n");
  CHECK((*elements)[3] == "[] ");
  auto empty = ArrayElements("[]", "t");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  CHECK(ArrayElements("{}", "t").status().code() == Code::kInvalidInput);
  CHECK(ArrayElements("[1,", "t").status().code() == Code::kInvalidInput);

  JsonArrayWriter inner;
  inner.String("x\"y").Raw(Json("{\"k\": 1}")).Object(JsonObjectWriter().Int("n", -1));
  CHECK(JsonObjectWriter().Bool("t", true).Bool("f", false).Array("a", std::move(inner)).Finish() ==
        R"({"t":true,"f":false,"a":["x\"y",{"k": 1},{"n":-1}]})");
}

}  // namespace
}  // namespace callledger::payload
