// VerifyLedger over real captured traffic: every captured stream verifies,
// and each kind of damage done behind the log's back (through the RocksDB API
// or the twin's test hooks) is found at the right seq.
#include "audit/verify.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "record/record_codec.h"
#include "replay/import.h"
#include "store/index_keys.h"
#include "store/memory_event_log.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::audit {
namespace {

using store::EncodeSeqKey;

const std::filesystem::path& K1Observer() {
  static const std::filesystem::path p =
      testing::CaptureDir() / "k1-transfer-hold-dtmf.observer.jsonl";
  return p;
}

std::size_t NonEmptyLines(const std::filesystem::path& file) {
  std::size_t n = 0;
  for (const auto& line : testing::ReadLines(file)) n += line.empty() ? 0 : 1;
  return n;
}

void Import(const std::filesystem::path& file, EventLog& log) {
  replay::ImportOptions options;
  options.batch_records = 50;  // several batches per file
  options.clock = [] { return std::int64_t{1795684558000000}; };
  Result<replay::ImportReport> report = replay::ImportJsonl(file, log, options);
  INFO(file.filename().string() << ": " << report.status().ToString());
  REQUIRE(report.ok());
}

VerifyReport Verify(const EventLog& log) {
  Result<VerifyReport> report = VerifyLedger(log);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  return std::move(report).value();
}

std::unique_ptr<store::RocksEventLog> OpenRocks(const std::filesystem::path& dir) {
  store::RocksOptions options;
  options.node = "pbx-verify";
  auto log = store::RocksEventLog::Open(dir, options);
  INFO(log.status().ToString());
  REQUIRE(log.ok());
  return std::move(log).value();
}

// The offset, inside a record's stored bytes, of the middle of its payload.
std::size_t MidPayloadOffset(const std::string& bytes) {
  Result<Record> r = DecodeRecord(bytes);
  REQUIRE(r.ok());
  REQUIRE(r->payload.size() > 10);
  const std::size_t at = bytes.find(r->payload);
  REQUIRE(at != std::string::npos);
  return at + r->payload.size() / 2;
}

void ExpectFailure(const VerifyReport& report, std::uint64_t seq, const std::string& words) {
  INFO(report.Summary());
  REQUIRE_FALSE(report.ok());
  REQUIRE(report.first_bad.has_value());
  CHECK(report.first_bad->value == seq);
  CHECK_THAT(report.problem, Catch::Contains(words));
  CHECK_THAT(report.Summary(), Catch::StartsWith("FAILED at seq " + std::to_string(seq)));
}

TEST_CASE("every captured stream imports into a ledger that verifies") {
  const auto streams = testing::CapturedStreams();
  REQUIRE(streams.size() == 32);
  for (const auto& file : streams) {
    INFO(file.filename().string());
    testing::TempDir tmp("verify-fixture");
    auto log = OpenRocks(tmp / "ledger");
    Import(file, *log);
    const std::size_t lines = NonEmptyLines(file);
    const VerifyReport report = Verify(*log);
    CHECK(report.ok());
    CHECK(report.records == lines);
    CHECK(report.head.seq.value == lines);
    CHECK(report.head.hash == log->Head().hash);
    CHECK_THAT(report.Summary(), Catch::StartsWith("ok: " + std::to_string(lines) + " records"));
  }
}

TEST_CASE("an empty ledger verifies") {
  store::MemoryEventLog log("pbx");
  const VerifyReport report = Verify(log);
  CHECK(report.ok());
  CHECK(report.records == 0);
  CHECK(report.head.seq == Seq{0});
}

TEST_CASE("verify reports progress at the requested interval") {
  store::MemoryEventLog log("pbx");
  Import(K1Observer(), log);
  std::vector<std::uint64_t> reached;
  Result<VerifyReport> report = VerifyLedger(
      log,
      [&](Seq at, Seq head) {
        CHECK(head == Seq{149});
        reached.push_back(at.value);
      },
      40);
  REQUIRE(report.ok());
  CHECK(report->ok());
  CHECK(reached == std::vector<std::uint64_t>{40, 80, 120});
}

TEST_CASE("tampering through the RocksDB API is found at the right seq") {
  testing::TempDir tmp("verify-tamper");
  auto log = OpenRocks(tmp / "ledger");
  Import(K1Observer(), *log);
  const std::uint64_t head = log->Head().seq.value;
  REQUIRE(head == 149);
  REQUIRE(Verify(*log).ok());
  rocksdb::DB* db = log->raw_db_for_test();
  rocksdb::ColumnFamilyHandle* records = log->records_family_for_test();
  auto get = [&](std::uint64_t seq) {
    std::string value;
    REQUIRE(db->Get(rocksdb::ReadOptions(), records, EncodeSeqKey(Seq{seq}), &value).ok());
    return value;
  };
  auto put = [&](std::uint64_t seq, const std::string& value) {
    REQUIRE(db->Put(rocksdb::WriteOptions(), records, EncodeSeqKey(Seq{seq}), value).ok());
  };

  SECTION("one byte of the payload of record N changed") {
    std::string bytes = get(77);
    const std::size_t at = MidPayloadOffset(bytes);
    bytes[at] = static_cast<char>(bytes[at] ^ 0x20);
    put(77, bytes);
    ExpectFailure(Verify(*log), 77, "does not match its hash");
  }
  SECTION("one byte of the stored hash of record N changed") {
    std::string bytes = get(10);
    Result<Record> r = DecodeRecord(bytes);
    REQUIRE(r.ok());
    const std::size_t at =
        bytes.find(std::string(reinterpret_cast<const char*>(r->hash.data()), r->hash.size()));
    REQUIRE(at != std::string::npos);
    bytes[at + 5] = static_cast<char>(bytes[at + 5] ^ 1);
    put(10, bytes);
    ExpectFailure(Verify(*log), 10, "does not match its hash");
  }
  SECTION("record N truncated") {
    const std::string bytes = get(30);
    put(30, bytes.substr(0, bytes.size() / 2));
    ExpectFailure(Verify(*log), 30, "does not decode");
  }
  SECTION("record N deleted") {
    REQUIRE(db->Delete(rocksdb::WriteOptions(), records, EncodeSeqKey(Seq{60})).ok());
    ExpectFailure(Verify(*log), 60, "missing");
  }
  SECTION("the first record deleted") {
    REQUIRE(db->Delete(rocksdb::WriteOptions(), records, EncodeSeqKey(Seq{1})).ok());
    ExpectFailure(Verify(*log), 1, "missing");
  }
  SECTION("the last record deleted") {
    REQUIRE(db->Delete(rocksdb::WriteOptions(), records, EncodeSeqKey(Seq{head})).ok());
    ExpectFailure(Verify(*log), head, "missing");
  }
  SECTION("a well-formed record added beyond the head") {
    // The most convincing forgery: correctly chained to the head and hashed.
    RecordEncoder encoder;
    RecordDraft d;
    d.kind = RecordKind::kAriEvent;
    d.event_type = "StasisStart";
    d.payload = R"({"type":"StasisStart"})";
    Sha256Digest hash{};
    put(head + 1, encoder.Encode(d, Seq{head + 1}, "pbx-verify", log->Head().hash, &hash));
    ExpectFailure(Verify(*log), head + 1, "beyond the head");
  }
  SECTION("a record added far beyond the head") {
    put(head + 1000, get(5));
    ExpectFailure(Verify(*log), head + 1000, "beyond the head");
  }
  SECTION("two records' values swapped") {
    const std::string a = get(40);
    const std::string b = get(90);
    put(40, b);
    put(90, a);
    ExpectFailure(Verify(*log), 40, "says it is seq 90");
  }
  SECTION("record N replaced by a well-formed record with its own valid hash") {
    // Re-encoded with the right seq and prev_hash: only the next record's
    // prev_hash can tell.
    Result<Record> old = DecodeRecord(get(50));
    REQUIRE(old.ok());
    RecordDraft d;
    d.kind = old->kind;
    d.event_type = old->event_type;
    d.channel_ids = old->channel_ids;
    d.payload = old->payload;
    d.payload[d.payload.size() / 2] ^= 0x01;
    RecordEncoder encoder;
    Sha256Digest hash{};
    put(50, encoder.Encode(d, Seq{50}, old->node, old->prev_hash, &hash));
    ExpectFailure(Verify(*log), 51, "prev_hash");
  }
  SECTION("the last record replaced by a well-formed record: the head hash tells") {
    Result<Record> old = DecodeRecord(get(head));
    REQUIRE(old.ok());
    RecordDraft d;
    d.kind = old->kind;
    d.payload = old->payload + " ";
    RecordEncoder encoder;
    Sha256Digest hash{};
    put(head, encoder.Encode(d, Seq{head}, old->node, old->prev_hash, &hash));
    ExpectFailure(Verify(*log), head, "head hash");
  }
}

TEST_CASE("tampering with a closed ledger's files is found after reopening") {
  testing::TempDir tmp("verify-closed");
  const auto dir = tmp / "ledger";
  {
    auto log = OpenRocks(dir);
    Import(K1Observer(), *log);
  }
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {store::kRecordsFamily, rocksdb::ColumnFamilyOptions()},
        {store::kIndexFamily, rocksdb::ColumnFamilyOptions()},
    };
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.string(), families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string bytes;
    REQUIRE(db->Get(rocksdb::ReadOptions(), handles[1], EncodeSeqKey(Seq{100}), &bytes).ok());
    const std::size_t at = MidPayloadOffset(bytes);
    bytes[at] = static_cast<char>(bytes[at] + 1);
    REQUIRE(db->Put(rocksdb::WriteOptions(), handles[1], EncodeSeqKey(Seq{100}), bytes).ok());
    for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(db->Close().ok());
  }
  auto log = OpenRocks(dir);
  ExpectFailure(Verify(*log), 100, "does not match its hash");
}

TEST_CASE("tampering with the in-memory twin is found at the right seq") {
  store::MemoryEventLog log("pbx-verify");
  Import(K1Observer(), log);
  const std::uint64_t head = log.Head().seq.value;
  REQUIRE(head == 149);
  REQUIRE(Verify(log).ok());
  auto stored = [&](std::uint64_t seq) {
    Result<std::string> bytes = log.ReadEncoded(Seq{seq});
    REQUIRE(bytes.ok());
    return *bytes;
  };

  SECTION("one byte of the payload of record N changed") {
    const std::string bytes = stored(77);
    const std::size_t at = MidPayloadOffset(bytes);
    log.TamperForTest(Seq{77}, at, static_cast<char>(bytes[at] ^ 0x20));
    REQUIRE(stored(77) != bytes);
    ExpectFailure(Verify(log), 77, "does not match its hash");
  }
  SECTION("the first byte of record N changed") {
    const std::string bytes = stored(3);
    log.TamperForTest(Seq{3}, 0, static_cast<char>(bytes[0] ^ 0x04));
    const VerifyReport report = Verify(log);
    INFO(report.Summary());
    REQUIRE_FALSE(report.ok());
    CHECK(report.first_bad->value == 3);
  }
  SECTION("record N erased") {
    log.EraseForTest(Seq{60});
    ExpectFailure(Verify(log), 60, "missing");
  }
  SECTION("the last record erased") {
    log.EraseForTest(Seq{head});
    ExpectFailure(Verify(log), head, "missing");
  }
  SECTION("the last byte of the last record changed") {
    const std::string bytes = stored(head);
    log.TamperForTest(Seq{head}, bytes.size() - 1, static_cast<char>(bytes.back() ^ 0x40));
    const VerifyReport report = Verify(log);
    INFO(report.Summary());
    REQUIRE_FALSE(report.ok());
    CHECK(report.first_bad->value == head);
  }
}

}  // namespace
}  // namespace callledger::audit
