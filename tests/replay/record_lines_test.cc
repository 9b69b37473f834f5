// Fixtures with the daemon's own records: `ledger-audit export --all-kinds`
// writes a ledger as frames and record lines, `ledger-replay import` and
// `fixture` read it back into the same records and the same rows.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "ari/frame_record.h"
#include "audit/render.h"
#include "payload/gap.h"
#include "payload/note.h"
#include "payload/reconcile.h"
#include "projection/record_projector.h"
#include "projection/row_format.h"
#include "replay/fixture.h"
#include "replay/import.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"
#include "support/stored_records.h"
#include "support/temp_dir.h"

namespace callledger::replay {
namespace {

constexpr std::int64_t kAt = 1795684579000000;  // 09:16:19 UTC, while scenario b rings

ImportOptions Options(std::size_t batch_records = 1000) {
  ImportOptions o;
  o.batch_records = batch_records;
  o.clock = [] { return std::int64_t{42}; };
  return o;
}

// Scenario b's observer stream cut after frame 30, as the daemon records a
// reconnection: note, gap, frames, gap, reconcile, the rest, one malformed
// frame and an overflow gap.
void FillLedger(EventLog& log) {
  const auto lines =
      testing::ReadLines(testing::CaptureDir() / "b-inbound-abandoned.observer.jsonl");
  const auto json = [](std::string text) { return payload::JsonText::Verbatim(text).value(); };
  ari::FrameParser parser;
  std::vector<RecordDraft> drafts;
  drafts.push_back(payload::NoteDraft(
      {payload::ProjectorOptionsNote{"call-center", "/var/spool/asterisk/recording"}},
      "projector options at daemon start", kAt - 20000000));
  drafts.push_back(payload::GapDraft(
      {payload::GapReasonConnected("daemon started"), 0, kAt - 19000000, std::nullopt,
       payload::JsonText::Compact(
           testing::ReadFile(testing::CaptureDir() / "api" / "asterisk-info.json"))
           .value()}));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == 30) {
      drafts.push_back(payload::GapDraft({payload::GapReasonConnected("closed by Asterisk"),
                                          kAt - 2000000, kAt, std::nullopt, std::nullopt}));
      drafts.push_back(payload::ReconcileDraft({json("[]"), json("[]")}, kAt + 3000));
    }
    drafts.push_back(ari::DraftFromFrame(parser, lines[i], kAt));
  }
  drafts.push_back(ari::DraftFromFrame(parser, "{\"type\":", kAt));
  // A REST body kept instead of a reconcile: its line breaks make it a
  // record line in an --all-kinds export.
  drafts.push_back(payload::UnusableBodyDraft(
      "GET /ari/channels", "<html>\n502 Bad Gateway\n</html>", "not valid JSON", kAt + 5));
  drafts.push_back(
      payload::GapDraft({payload::GapReasonOverflow(3), kAt, kAt + 1, 3, std::nullopt}));
  REQUIRE(log.Append(drafts).ok());
}

std::string Export(const EventLog& log, audit::ExportKinds kinds) {
  std::ostringstream out;
  auto counts = audit::ExportPayloads(log, Seq{1}, Seq{UINT64_MAX}, out, kinds);
  REQUIRE(counts.ok());
  return out.str();
}

TEST_CASE("export --all-kinds, then import: the same records, frames byte for byte") {
  testing::TempDir tmp("record-lines");
  store::MemoryEventLog original("pbx");
  FillLedger(original);
  const std::string fixture = Export(original, audit::ExportKinds::kAll);
  testing::WriteFile(tmp / "b-cut.jsonl", fixture);

  store::MemoryEventLog imported("pbx");
  auto report = ImportJsonl(tmp / "b-cut.jsonl", imported, Options(7));
  REQUIRE(report.ok());
  REQUIRE(imported.Head().seq == original.Head().seq);
  CHECK(report->by_kind["gap"] == 3);
  CHECK(report->by_kind["reconcile"] == 1);
  CHECK(report->by_kind["note"] == 1);
  CHECK(report->by_kind["malformed"] == 2);
  for (std::uint64_t seq = 1; seq <= original.Head().seq.value; ++seq) {
    INFO("seq " << seq);
    const Record a = testing::DecodeStored(original, Seq{seq});
    const Record b = testing::DecodeStored(imported, Seq{seq});
    CHECK(a.kind == b.kind);
    CHECK(a.payload == b.payload);
    CHECK(a.reason == b.reason);
    CHECK(a.event_time_us == b.event_time_us);
    CHECK(a.channel_ids == b.channel_ids);
    const bool frame_line =
        a.kind == RecordKind::kAriEvent ||
        (a.kind == RecordKind::kMalformed && a.payload.find('\n') == std::string::npos);
    if (frame_line) {
      CHECK(b.received_at_us == 42);  // frames get the import's clock
    } else {
      CHECK(b.received_at_us == a.received_at_us);  // the daemon's own times travel
    }
  }
  // Exporting the import gives the fixture back, and the frames alone are
  // the capture as before.
  CHECK(Export(imported, audit::ExportKinds::kAll) == fixture);
  CHECK(Export(imported, audit::ExportKinds::kFrames) ==
        Export(original, audit::ExportKinds::kFrames));
  // Five daemon record lines and the kept body, each one line.
  std::size_t record_lines = 0;
  for (const auto& line : testing::ReadLines(tmp / "b-cut.jsonl"))
    record_lines += line.starts_with("{\"call_ledger_record\":");
  CHECK(record_lines == 6);
}

TEST_CASE("a fixture with daemon records gives the rows of the ledger it came from") {
  testing::TempDir tmp("record-lines-rows");
  store::MemoryEventLog original("fixture");
  FillLedger(original);
  testing::WriteFile(tmp / "b-cut.jsonl", Export(original, audit::ExportKinds::kAll));
  auto from_ledger = projection::ProjectLedger(original);
  REQUIRE(from_ledger.ok());
  auto from_fixture = RunFixture(tmp / "b-cut.jsonl", {});
  REQUIRE(from_fixture.ok());
  CHECK(projection::RowsToJson(from_fixture->rows) == projection::RowsToJson(*from_ledger));
  // The reconcile said nothing was live: the call that was ringing when the
  // connection dropped is closed there, estimated.
  REQUIRE(from_fixture->rows.size() == 1);
  CHECK(from_fixture->rows[0].end_estimated);
  CHECK(from_fixture->rows[0].end_us == kAt + 3000);
}

TEST_CASE("a bad daemon record line is refused before anything is written") {
  testing::TempDir tmp("record-lines-bad");
  const auto lines =
      testing::ReadLines(testing::CaptureDir() / "b-inbound-abandoned.observer.jsonl");
  std::string text;
  for (std::size_t i = 0; i < 20; ++i) text += lines[i] + "\n";
  text += R"({"call_ledger_record":{"kind":"gap","event_time_us":1,"received_at_us":1})"
          "\n";
  for (std::size_t i = 20; i < lines.size(); ++i) text += lines[i] + "\n";
  testing::WriteFile(tmp / "bad.jsonl", text);

  const Status check = CheckImportable(tmp / "bad.jsonl", Options().max_line_bytes);
  REQUIRE_FALSE(check.ok());
  CHECK(check.code() == Code::kInvalidInput);
  CHECK_THAT(check.message(), Catch::Contains("line 21"));
  store::MemoryEventLog log("pbx");
  auto report = ImportJsonl(tmp / "bad.jsonl", log, Options(1));
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == Code::kInvalidInput);
  CHECK(log.Head().seq.value == 0);
  CHECK_FALSE(RunFixture(tmp / "bad.jsonl", {}).ok());

  // A bad line without its line feed, at the end of the file.
  testing::WriteFile(tmp / "last.jsonl",
                     lines[0] + "\n" + R"({"call_ledger_record":{"kind":"gap"}})");
  const Status last = CheckImportable(tmp / "last.jsonl", Options().max_line_bytes);
  REQUIRE_FALSE(last.ok());
  CHECK_THAT(last.message(), Catch::Contains("line 2"));
}

TEST_CASE("a frame that merely mentions call_ledger_record is a frame") {
  testing::TempDir tmp("record-lines-frame");
  testing::WriteFile(tmp / "f.jsonl",
                     " {\"call_ledger_record\":{}}\n{\"type\":\"X\",\"call_ledger_record\":1}\n");
  store::MemoryEventLog log("pbx");
  auto report = ImportJsonl(tmp / "f.jsonl", log, Options());
  REQUIRE(report.ok());
  CHECK(testing::DecodeStored(log, Seq{1}).payload == " {\"call_ledger_record\":{}}");
  CHECK(testing::DecodeStored(log, Seq{2}).kind == RecordKind::kAriEvent);
}

}  // namespace
}  // namespace callledger::replay
