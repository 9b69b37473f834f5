// ImportJsonl over hand-built files: every non-empty line becomes exactly one
// record (ari_event or malformed, bytes kept), blank lines are skipped, and a
// file that cannot be imported is refused before anything is written.
#include "replay/import.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "audit/render.h"
#include "audit/verify.h"
#include "record/record_codec.h"
#include "store/memory_event_log.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/stored_records.h"
#include "support/temp_dir.h"

namespace callledger::replay {
namespace {

constexpr std::int64_t kClock = 1795684558000000;

ImportOptions Options(std::size_t batch_records = 1000) {
  ImportOptions o;
  o.batch_records = batch_records;
  o.clock = [] { return kClock; };
  return o;
}

Record Decode(const EventLog& log, Seq seq) { return testing::DecodeStored(log, seq); }

struct Case {
  std::string line;
  RecordKind kind;
};

// What a tool does (ledger-replay import): check the file, then open the
// ledger, then import. A bad file must leave no ledger behind.
Result<ImportReport> ImportIntoNewLedger(const std::filesystem::path& file,
                                         const std::filesystem::path& ledger_dir) {
  const ImportOptions options = Options();
  if (Status s = CheckImportable(file, options.max_line_bytes); !s.ok()) return s;
  store::RocksOptions ro;
  ro.node = "pbx-import";
  auto log = store::RocksEventLog::Open(ledger_dir, ro);
  if (!log.ok()) return log.status();
  return ImportJsonl(file, **log, options);
}

TEST_CASE("import keeps every non-empty line as one record, good or malformed") {
  testing::TempDir tmp("import-mixed");
  const std::vector<std::string> captured =
      testing::ReadLines(testing::CaptureDir() / "k1-transfer-hold-dtmf.call-center.jsonl");
  std::string nested = R"({"type":"Deep","x":)";
  for (int i = 0; i < 200; ++i) nested += "[";
  for (int i = 0; i < 200; ++i) nested += "]";
  nested += "}";
  std::string huge = R"({"type":"Huge","blob":")" + std::string(2 << 20, 'a') + "\"}";
  const std::vector<Case> cases = {
      {captured[0], RecordKind::kAriEvent},
      {captured[0].substr(0, captured[0].size() / 2), RecordKind::kMalformed},  // truncated JSON
      {std::string("{\"type\":\"ChannelCallerId\",\"name\":\"O\xca") + "\"}",
       RecordKind::kMalformed},
      {captured[1], RecordKind::kAriEvent},
      {huge, RecordKind::kMalformed},  // larger than the 1 MiB frame limit
      {nested, RecordKind::kMalformed},
      {"{}", RecordKind::kMalformed},
      {R"({"type":5})", RecordKind::kMalformed},
      {"[1,2,3]", RecordKind::kMalformed},
      {"  ", RecordKind::kMalformed},  // whitespace is not a blank line
      {captured[2], RecordKind::kAriEvent},
      {R"({"type":"Unknown\u00e9Event","x":1})", RecordKind::kAriEvent},
  };
  // Blank lines at the start, in runs between frames and near the end; the
  // file ends with a frame that has no line feed after it.
  std::string file_bytes = "\n";
  std::size_t blanks = 1;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    file_bytes += cases[i].line + "\n";
    if (i % 4 == 1) {
      file_bytes += "\n\n";
      blanks += 2;
    }
  }
  file_bytes += "\n";
  ++blanks;
  const std::string last_frame = captured[3];
  file_bytes += last_frame;  // no final line feed
  std::vector<Case> all = cases;
  all.push_back({last_frame, RecordKind::kAriEvent});

  const auto file = tmp / "mixed.jsonl";
  testing::WriteFile(file, file_bytes);
  REQUIRE(CheckImportable(file, ImportOptions().max_line_bytes).ok());

  store::MemoryEventLog log("pbx-import");
  std::vector<std::uint64_t> progress;
  Result<ImportReport> report =
      ImportJsonl(file, log, Options(4), [&](std::uint64_t done, std::uint64_t total) {
        CHECK(total == file_bytes.size());
        progress.push_back(done);
      });
  INFO(report.status().ToString());
  REQUIRE(report.ok());

  std::map<std::string, std::uint64_t> expected_kinds;
  for (const auto& c : all) ++expected_kinds[std::string(RecordKindName(c.kind))];
  CHECK(expected_kinds["ari_event"] == 5);
  CHECK(expected_kinds["malformed"] == 8);
  CHECK(report->lines == all.size());
  CHECK(report->blank_lines == blanks);
  CHECK(report->bytes == file_bytes.size());
  CHECK(report->by_kind == expected_kinds);
  CHECK(report->seqs.first == Seq{1});
  CHECK(report->seqs.last == Seq{all.size()});
  CHECK(log.Head().seq == Seq{all.size()});
  // Batches of 4: one progress call per Append, bytes never going back.
  CHECK(progress.size() == (all.size() + 3) / 4);
  for (std::size_t i = 1; i < progress.size(); ++i) CHECK(progress[i - 1] < progress[i]);

  for (std::size_t i = 0; i < all.size(); ++i) {
    INFO("line " << i);
    const Record r = Decode(log, Seq{i + 1});
    CHECK(r.kind == all[i].kind);
    CHECK(r.payload == all[i].line);  // exact bytes, malformed or not
    CHECK(r.payload_size == 0);       // nothing was truncated (under 16 MiB)
    CHECK(r.received_at_us == kClock);
    if (r.kind == RecordKind::kMalformed) {
      CHECK_FALSE(r.reason.empty());
      CHECK(r.event_type.empty());
      CHECK(r.channel_ids.empty());
    } else {
      CHECK(r.reason.empty());
      CHECK_FALSE(r.event_type.empty());
    }
  }
  CHECK(Decode(log, Seq{1}).channel_ids.front() == "1795684640.55");
  CHECK(Decode(log, Seq{12}).event_type == "Unknown\u00e9Event");

  // Export gives back exactly the non-empty lines.
  std::string expected_export;
  for (const auto& c : all) expected_export += c.line + "\n";
  std::ostringstream out;
  Result<audit::ExportCounts> counts = audit::ExportPayloads(log, Seq{1}, Seq{UINT64_MAX}, out);
  REQUIRE(counts.ok());
  CHECK(out.str() == expected_export);
  CHECK(counts->written == all.size());

  Result<audit::VerifyReport> verify = audit::VerifyLedger(log);
  REQUIRE(verify.ok());
  CHECK(verify->ok());
}

TEST_CASE("import of a captured stream into RocksDB, twice, appends after the first") {
  testing::TempDir tmp("import-twice");
  const auto file = testing::CaptureDir() / "a-inbound-answered.observer.jsonl";
  Result<ImportReport> first = ImportIntoNewLedger(file, tmp / "ledger");
  REQUIRE(first.ok());
  CHECK(first->lines == 93);
  CHECK(first->blank_lines == 0);
  CHECK(first->by_kind == std::map<std::string, std::uint64_t>{{"ari_event", 93}});
  Result<ImportReport> second = ImportIntoNewLedger(file, tmp / "ledger");
  REQUIRE(second.ok());
  CHECK(second->seqs.first == Seq{94});
  CHECK(second->seqs.last == Seq{186});

  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  auto log = store::RocksEventLog::Open(tmp / "ledger", ro);
  REQUIRE(log.ok());
  std::ostringstream out;
  REQUIRE(audit::ExportPayloads(**log, Seq{1}, Seq{UINT64_MAX}, out).ok());
  const std::string bytes = testing::ReadFile(file);
  CHECK(out.str() == bytes + bytes);
}

TEST_CASE("a missing file is kNotFound and no ledger is created") {
  testing::TempDir tmp("import-missing");
  const auto file = tmp / "no-such.jsonl";
  const auto ledger = tmp / "ledger";

  Status check = CheckImportable(file, ImportOptions().max_line_bytes);
  CHECK(check.code() == Code::kNotFound);
  CHECK_THAT(check.message(), Catch::Contains("no-such.jsonl"));

  store::MemoryEventLog log("pbx");
  Result<ImportReport> direct = ImportJsonl(file, log, Options());
  REQUIRE_FALSE(direct.ok());
  CHECK(direct.status().code() == Code::kNotFound);
  CHECK(log.Head().seq == Seq{0});

  Result<ImportReport> tool = ImportIntoNewLedger(file, ledger);
  REQUIRE_FALSE(tool.ok());
  CHECK(tool.status().code() == Code::kNotFound);
  CHECK_FALSE(std::filesystem::exists(ledger));
}

TEST_CASE("a file with a NUL byte is kInvalidInput and nothing is appended") {
  testing::TempDir tmp("import-nul");
  const std::vector<std::string> captured =
      testing::ReadLines(testing::CaptureDir() / "a-inbound-answered.observer.jsonl");
  // Many good lines first, so an import that streamed before checking would
  // already have appended batches when it met the NUL.
  std::string bytes;
  for (const auto& line : captured) bytes += line + "\n";
  bytes += std::string("{\"type\":\"X\"}\0\n", 14);
  bytes += captured[0] + "\n";
  const auto file = tmp / "nul.jsonl";
  testing::WriteFile(file, bytes);

  Status check = CheckImportable(file, ImportOptions().max_line_bytes);
  CHECK(check.code() == Code::kInvalidInput);
  CHECK_THAT(check.message(), Catch::Contains("NUL"));

  store::MemoryEventLog log("pbx");
  Result<ImportReport> report = ImportJsonl(file, log, Options(10));
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == Code::kInvalidInput);
  CHECK(log.Head().seq == Seq{0});

  Result<ImportReport> tool = ImportIntoNewLedger(file, tmp / "ledger");
  REQUIRE_FALSE(tool.ok());
  CHECK(tool.status().code() == Code::kInvalidInput);
  CHECK_FALSE(std::filesystem::exists(tmp / "ledger"));
}

TEST_CASE("a line longer than max_line_bytes is kInvalidInput and nothing is appended") {
  testing::TempDir tmp("import-long");
  const auto file = tmp / "long.jsonl";
  testing::WriteFile(file, "{\"type\":\"A\"}\n" + std::string(200, 'x') + "\n{\"type\":\"B\"}\n");
  CHECK(CheckImportable(file, 200).ok());
  CHECK(CheckImportable(file, 199).code() == Code::kInvalidInput);
  store::MemoryEventLog log("pbx");
  ImportOptions options = Options(1);
  options.max_line_bytes = 199;
  Result<ImportReport> report = ImportJsonl(file, log, options);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == Code::kInvalidInput);
  CHECK(log.Head().seq == Seq{0});
}

TEST_CASE("a directory is not importable") {
  testing::TempDir tmp("import-dir");
  Status check = CheckImportable(tmp.path(), ImportOptions().max_line_bytes);
  CHECK_FALSE(check.ok());
  CHECK(check.code() == Code::kInvalidInput);
  store::MemoryEventLog log("pbx");
  Result<ImportReport> report = ImportJsonl(tmp.path(), log, Options());
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == Code::kInvalidInput);
  CHECK(log.Head().seq == Seq{0});
}

TEST_CASE("an empty file or one of blank lines imports nothing") {
  testing::TempDir tmp("import-empty");
  for (const std::string& bytes : {std::string(), std::string("\n\n\n")}) {
    const auto file = tmp / "empty.jsonl";
    testing::WriteFile(file, bytes);
    store::MemoryEventLog log("pbx");
    Result<ImportReport> report = ImportJsonl(file, log, Options());
    REQUIRE(report.ok());
    CHECK(report->lines == 0);
    CHECK(report->blank_lines == bytes.size());
    CHECK(report->by_kind.empty());
    CHECK(log.Head().seq == Seq{0});
  }
}

}  // namespace
}  // namespace callledger::replay
