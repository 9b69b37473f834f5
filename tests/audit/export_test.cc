// Export is the inverse of import: the frames of a ledger written back out
// are the captured stream byte for byte, for the in-memory twin and for
// RocksDB, whole or a seq range, with the daemon's own records left out.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "audit/render.h"
#include "fixture_lines.h"
#include "store/memory_event_log.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::audit {
namespace {

using testing::Import;

TEST_CASE("export after import is byte-identical to every captured stream") {
  for (const auto& file : testing::CapturedStreams()) {
    INFO(file.filename().string());
    store::MemoryEventLog log("pbx");
    Import(file, log);
    std::ostringstream out;
    Result<ExportCounts> counts = ExportPayloads(log, Seq{1}, Seq{UINT64_MAX}, out);
    REQUIRE(counts.ok());
    const std::string original = testing::ReadFile(file);
    CHECK(out.str() == original);
    CHECK(counts->written == testing::ReadLines(file).size());
    CHECK(counts->skipped_other_kinds == 0);
    CHECK(counts->truncated == 0);
  }
}

TEST_CASE("export of a RocksDB ledger: a seq range, other kinds skipped") {
  testing::TempDir tmp("export-rocks");
  store::RocksOptions options;
  options.node = "pbx";
  auto opened = store::RocksEventLog::Open(tmp / "ledger", options);
  REQUIRE(opened.ok());
  auto& log = **opened;
  const auto file = testing::CaptureDir() / "h-inbound-utf8-callername.observer.jsonl";
  Import(file, log);
  RecordDraft note;
  note.kind = RecordKind::kNote;
  note.reason = "operator note";
  REQUIRE(log.Append(std::vector<RecordDraft>{note}).ok());

  const std::vector<std::string> lines = testing::ReadLines(file);
  std::ostringstream all;
  Result<ExportCounts> counts = ExportPayloads(log, Seq{1}, Seq{UINT64_MAX}, all);
  REQUIRE(counts.ok());
  CHECK(all.str() == testing::ReadFile(file));
  CHECK(counts->written == lines.size());
  CHECK(counts->skipped_other_kinds == 1);

  std::ostringstream part;
  REQUIRE(ExportPayloads(log, Seq{10}, Seq{20}, part).ok());
  std::string expected;
  for (std::size_t i = 9; i < 20; ++i) expected += lines[i] + "\n";
  CHECK(part.str() == expected);
}

}  // namespace
}  // namespace callledger::audit
