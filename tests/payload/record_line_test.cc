// Daemon records as fixture lines (payload/record_line.h): the exact line,
// the three payload forms, and what a line may not hold.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "payload/gap.h"
#include "payload/note.h"
#include "payload/reconcile.h"
#include "payload/record_line.h"

namespace callledger::payload {
namespace {

RecordDraft Daemon(RecordKind kind, std::string payload) {
  RecordDraft d;
  d.kind = kind;
  d.event_time_us = 1795684560123456;
  d.received_at_us = 1795684560123457;
  d.reason = "why";
  d.payload = std::move(payload);
  return d;
}

void CheckSame(const RecordDraft& a, const RecordDraft& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.event_time_us == b.event_time_us);
  CHECK(a.received_at_us == b.received_at_us);
  CHECK(a.reason == b.reason);
  CHECK(a.payload == b.payload);
}

TEST_CASE("a daemon record is one line, its payload embedded byte for byte") {
  const RecordDraft gap = GapDraft({GapReasonConnected("closed by Asterisk"), 1795684558000000,
                                    1795684560000000, std::nullopt, std::nullopt});
  auto line = EncodeRecordLine(gap);
  REQUIRE(line.ok());
  CHECK(*line == R"({"call_ledger_record":{"kind":"gap","event_time_us":1795684560000000,)"
                 R"("received_at_us":1795684560000000,"reason":"connected to ARI after: closed by )"
                 R"(Asterisk","payload":{"reason":"connected to ARI after: closed by Asterisk",)"
                 R"("since_us":1795684558000000,"until_us":1795684560000000}}})");
  CHECK(IsRecordLine(*line));
  auto back = ParseRecordLine(*line);
  REQUIRE(back.ok());
  CheckSame(*back, gap);

  auto body = JsonText::Verbatim(" [ {\"id\":\"1.1\"} ]\n");
  REQUIRE(body.ok());
  const RecordDraft reconcile = ReconcileDraft({*body, *body}, 7);
  line = EncodeRecordLine(reconcile);
  REQUIRE(line.ok());
  // A payload with a line break (JSON whitespace) travels as text: the line
  // stays one line.
  CHECK(line->find('\n') == std::string::npos);
  CHECK(line->find(R"("payload_text":"{\"channels\": [)") != std::string::npos);
  back = ParseRecordLine(*line);
  REQUIRE(back.ok());
  CheckSame(*back, reconcile);
}

TEST_CASE("payloads that are not JSON travel as text or hex") {
  for (const std::string& payload :
       {std::string(""), std::string("not json"), std::string("{\"a\":"), std::string("Oʻtkir"),
        std::string("\xff\xfe binary"), std::string("a\0b", 3)}) {
    INFO(payload);
    const RecordDraft note = Daemon(RecordKind::kNote, payload);
    auto line = EncodeRecordLine(note);
    REQUIRE(line.ok());
    CHECK(line->find('\n') == std::string::npos);
    auto back = ParseRecordLine(*line);
    REQUIRE(back.ok());
    CheckSame(*back, note);
  }
  auto text = EncodeRecordLine(Daemon(RecordKind::kReconcile, "not json"));
  REQUIRE(text.ok());
  CHECK(text->ends_with(R"("reason":"why","payload_text":"not json"}})"));
  auto hex = EncodeRecordLine(Daemon(RecordKind::kReconcile, "\xff"));
  REQUIRE(hex.ok());
  CHECK(hex->ends_with(R"("reason":"why","payload_hex":"ff"}})"));
}

TEST_CASE("only daemon and malformed records with nothing but their own fields become lines") {
  for (RecordKind kind : {RecordKind::kAriEvent, RecordKind::kUnknown}) {
    auto line = EncodeRecordLine(Daemon(kind, "{}"));
    REQUIRE_FALSE(line.ok());
    CHECK(line.status().code() == Code::kInvalidInput);
  }
  // A body kept as received, whose line break keeps it from being a line
  // of its own, travels as a record line and comes back byte for byte.
  const RecordDraft body = Daemon(RecordKind::kMalformed, "<html>\r\n502\n</html>");
  auto line = EncodeRecordLine(body);
  REQUIRE(line.ok());
  CHECK(line->find_first_of("\r\n") == std::string::npos);
  auto back = ParseRecordLine(*line);
  REQUIRE(back.ok());
  CHECK(back->kind == RecordKind::kMalformed);
  CHECK(back->payload == body.payload);
  RecordDraft frame = Daemon(RecordKind::kMalformed, "{\"type\":");
  frame.event_type = "X";
  CHECK_FALSE(EncodeRecordLine(frame).ok());
  RecordDraft with_id = Daemon(RecordKind::kGap, "{}");
  with_id.channel_ids = {"1.1"};
  CHECK_FALSE(EncodeRecordLine(with_id).ok());
  RecordDraft truncated = Daemon(RecordKind::kNote, "{}");
  truncated.payload_size = 99;
  CHECK_FALSE(EncodeRecordLine(truncated).ok());
}

TEST_CASE("bad record lines give kInvalidInput") {
  const std::string ok =
      R"({"call_ledger_record":{"kind":"note","event_time_us":1,"received_at_us":2,)"
      R"("reason":"r","payload":{}}})";
  REQUIRE(ParseRecordLine(ok).ok());
  const std::vector<std::string> bad = {
      "",
      R"({"type":"StasisStart"})",
      R"( {"call_ledger_record":{}})",
      R"({"call_ledger_record":)",
      R"({"call_ledger_record":[]})",
      R"({"call_ledger_record":{}})",
      R"({"call_ledger_record":{"kind":"note","event_time_us":1,"received_at_us":2,"reason":"r"}})",
      R"({"call_ledger_record":{"kind":"ari_event","event_time_us":1,"received_at_us":2,)"
      R"("reason":"r","payload":{}}})",
      R"({"call_ledger_record":{"kind":"nope","event_time_us":1,"received_at_us":2,)"
      R"("reason":"r","payload":{}}})",
      R"({"call_ledger_record":{"kind":"note","event_time_us":"1","received_at_us":2,)"
      R"("reason":"r","payload":{}}})",
      R"({"call_ledger_record":{"kind":"note","event_time_us":1,"received_at_us":2,)"
      R"("reason":"r","payload":{},"payload_text":"{}"}})",
      R"({"call_ledger_record":{"kind":"note","event_time_us":1,"received_at_us":2,)"
      R"("reason":"r","payload_hex":"xyz"}})",
      R"({"call_ledger_record":{"kind":"note","event_time_us":1,"received_at_us":2,)"
      R"("reason":"r","payload":{},"seq":5}})",
      ok + "x",
      ok.substr(0, ok.size() - 1) + R"(,"another":1})",
  };
  for (const auto& line : bad) {
    INFO(line);
    auto r = ParseRecordLine(line);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidInput);
  }
  // Every truncation of a good line is refused, none crashes.
  for (std::size_t n = 0; n < ok.size(); ++n) CHECK_FALSE(ParseRecordLine(ok.substr(0, n)).ok());
}

}  // namespace
}  // namespace callledger::payload
