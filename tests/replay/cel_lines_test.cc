// `cel` records in fixtures and in the projection: `ledger-audit export
// --all-kinds` writes them as record lines with their CEL lines byte for
// byte, `ledger-replay import` reads them back as `cel` records, stats
// count them; and the projector skips them unread, so a fixture with cel
// record lines gives the same rows as without them (only the seqs move).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "ari/frame_record.h"
#include "audit/render.h"
#include "audit/stats.h"
#include "payload/cel.h"
#include "payload/record_line.h"
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

std::filesystem::path CelCapture() {
  return testing::SourceDir() / "fixtures" / "asterisk-cel" / "q-observer-gap.cel.jsonl";
}

// A cel record of the capture's lines [first, first + count), as the
// daemon writes it, with a bad line and a note.
RecordDraft CelRecord(std::size_t first, std::size_t count, std::int64_t until_us) {
  const auto lines = testing::ReadLines(CelCapture());
  payload::CelPayload cel;
  cel.file = "/var/log/asterisk/cel-custom/cel.jsonl";
  cel.since_us = until_us - 5'000'000;
  cel.until_us = until_us;
  for (std::size_t i = first; i < first + count && i < lines.size(); ++i) {
    cel.lines.push_back(payload::JsonText::Verbatim(lines[i]).value());
  }
  cel.bad_lines.push_back({123, "no eventtime", "{\"eventtype\":\"X\"}"});
  cel.notes.push_back("window from the disconnect before this connection");
  return payload::CelDraft(cel, until_us + 2'500'000);
}

std::string Export(const EventLog& log, audit::ExportKinds kinds) {
  std::ostringstream out;
  auto counts = audit::ExportPayloads(log, Seq{1}, Seq{UINT64_MAX}, out, kinds);
  REQUIRE(counts.ok());
  return out.str();
}

// Every column but the seqs, one line a row.
std::string WithoutSeqs(const std::vector<CallRow>& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (const auto& [k, v] : projection::RowFields(row)) {
      if (k != "first_seq" && k != "last_seq") out += k + "=" + v + " ";
    }
    out += "\n";
  }
  return out;
}

TEST_CASE("cel records travel as record lines, their CEL lines byte for byte") {
  testing::TempDir tmp("cel-lines");
  const auto frames =
      testing::ReadLines(testing::CaptureDir() / "a-inbound-answered.observer.jsonl");
  store::MemoryEventLog original("pbx");
  ari::FrameParser parser;
  std::vector<RecordDraft> drafts;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (i == 20) drafts.push_back(CelRecord(100, 40, 1796644088604000));
    drafts.push_back(ari::DraftFromFrame(parser, frames[i], 7));
  }
  REQUIRE(original.Append(drafts).ok());

  const std::string fixture = Export(original, audit::ExportKinds::kAll);
  const auto lines = testing::ReadLines(CelCapture());
  std::size_t cel_lines = 0;
  std::istringstream in(fixture);
  for (std::string line; std::getline(in, line);) {
    if (!payload::IsRecordLine(line)) continue;
    ++cel_lines;
    CHECK(
        line.starts_with(R"({"call_ledger_record":{"kind":"cel","event_time_us":1796644088604000,)"
                         R"("received_at_us":1796644091104000,"reason":"CEL evidence for )"));
    for (std::size_t i = 100; i < 140; ++i) CHECK(line.find(lines[i]) != std::string::npos);
  }
  CHECK(cel_lines == 1);

  testing::WriteFile(tmp / "with-cel.jsonl", fixture);
  store::MemoryEventLog imported("pbx");
  auto report = ImportJsonl(tmp / "with-cel.jsonl", imported, {});
  REQUIRE(report.ok());
  CHECK(report->by_kind["cel"] == 1);
  CHECK(report->by_kind["ari_event"] == frames.size());
  const Record a = testing::DecodeStored(original, Seq{21});
  const Record b = testing::DecodeStored(imported, Seq{21});
  CHECK(b.kind == RecordKind::kCel);
  CHECK(b.payload == a.payload);
  CHECK(b.reason == a.reason);
  CHECK(b.event_time_us == a.event_time_us);
  CHECK(b.received_at_us == a.received_at_us);
  CHECK(Export(imported, audit::ExportKinds::kAll) == fixture);

  // A frames-only export leaves it out, and stats count it by kind.
  std::ostringstream frames_only;
  auto counts = audit::ExportPayloads(imported, Seq{1}, Seq{UINT64_MAX}, frames_only);
  REQUIRE(counts.ok());
  CHECK(counts->skipped_other_kinds == 1);
  CHECK(frames_only.str() ==
        testing::ReadFile(testing::CaptureDir() / "a-inbound-answered.observer.jsonl"));
  auto stats = audit::ComputeStats(imported);
  REQUIRE(stats.ok());
  CHECK(stats->by_kind["cel"] == 1);
  CHECK_THAT(audit::DescribeRecord(b), Catch::StartsWith("CEL evidence for "));
}

TEST_CASE("the projector reads a cel record's lines, and skips one it cannot read, counted") {
  projection::RecordDecoder decoder;
  RecordView view;
  view.seq = Seq{9};
  view.kind = RecordKind::kCel;
  view.event_time_us = 5;
  view.payload = "not even JSON";
  CHECK(projection::RecordDecoder::NeedsPayload(view));
  projection::DecodedRecord out;
  decoder.Decode(view, &out);
  CHECK(out.kind == RecordKind::kUnknown);
  CHECK_FALSE(out.skip_reason.empty());

  const RecordDraft cel = CelRecord(100, 40, 1796644088604000);
  view.payload = cel.payload;
  decoder.Decode(view, &out);
  CHECK(out.kind == RecordKind::kCel);
  CHECK(out.skip_reason.empty());
  CHECK(out.cel.facts.size() == 40);  // the bad line is not read
  CHECK(out.cel.until_us == 1796644088604000);
  CHECK(out.Input().cel == &out.cel);
}

// Lines outside their record's window are not read: the daemon never
// records such lines, and a record that holds them changes no row.
TEST_CASE("fixtures with cel record lines outside their windows give the rows they give without") {
  testing::TempDir tmp("cel-rows");
  std::vector<std::filesystem::path> fixtures = testing::JsonlFiles(testing::RecordedDir());
  fixtures.push_back(testing::CaptureDir() / "k1-transfer-hold-dtmf.call-center.jsonl");
  fixtures.push_back(testing::CaptureDir() / "h-inbound-utf8-callername.observer.jsonl");
  for (const auto& fixture : fixtures) {
    INFO(fixture.filename().string());
    // A cel record line after every daemon record line and every 25th
    // frame, each holding real CEL lines (calls' starts, answers, ends),
    // stamped a day after its window.
    std::string with_cel;
    std::size_t n = 0, added = 0;
    for (const auto& line : testing::ReadLines(fixture)) {
      if (line.empty()) continue;
      with_cel += line + "\n";
      if (payload::IsRecordLine(line) || ++n % 25 == 0) {
        // A window a day before the lines' times.
        auto cel = payload::EncodeRecordLine(CelRecord(added * 30 % 700, 60, 1796557688604000));
        REQUIRE(cel.ok());
        with_cel += *cel + "\n";
        ++added;
      }
    }
    REQUIRE(added > 2);
    testing::WriteFile(tmp / "with-cel.jsonl", with_cel);
    auto without = RunFixture(fixture, {});
    REQUIRE(without.ok());
    auto with = RunFixture(tmp / "with-cel.jsonl", {});
    REQUIRE(with.ok());
    CHECK(with->records == without->records + added);
    CHECK(with->skipped == without->skipped);
    REQUIRE_FALSE(without->rows.empty());
    CHECK(WithoutSeqs(with->rows) == WithoutSeqs(without->rows));
  }
}

}  // namespace
}  // namespace callledger::replay
