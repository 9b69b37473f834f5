// A ledger written by an older build (schema version 1, before the `cel`
// kind) opens, reads and verifies as before; this build's first append
// raises the ledger's schema version with its records, so that an older
// build refuses the ledger from then on (schemas/README.md rule 4).
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "audit/verify.h"
#include "core/hex.h"
#include "record/record_codec.h"
#include "store/index_keys.h"
#include "store/rocks_event_log.h"
#include "support/temp_dir.h"

namespace callledger::store {
namespace {

// Two records as a schema-1 build wrote them (tests/record/
// schema_versions_test.cc reads the same bytes field by field).
const char* const kV1Gap =
    "30000000434c523100002600780006007000050068005c0058005400500060000000000000004c0000004800280008"
    "00"
    "2600000000020100cf0a678e1078af5fbc1607cba5b6224e04bcd7b6c757eb378ae97cf83d5ec95300000000000000"
    "00"
    "0000000000000000000000000000000000000000000000003000000058000000b4000000b8000000bc000000c00000"
    "00"
    "005a41c009620600005a41c009620600010000000000000026000000636f6e6e656374656420746f20415249206166"
    "74"
    "65723a206461656d6f6e207374617274656400005c0000007b22726561736f6e223a22636f6e6e656374656420746f"
    "20"
    "4152492061667465723a206461656d6f6e2073746172746564222c2273696e63655f7573223a302c22756e74696c5f"
    "75"
    "73223a313739363634333838303030303030307d000000000000000000000000000000000000000000000000060000"
    "00"
    "7062782d76310000";
const char* const kV1Frame =
    "30000000434c5231000026007c0006007000050068005c0058005400500060004c0000000000480000000000280008"
    "00"
    "26000000000101001c52041d82484047eccd9b933ec9878b10cd0d4e5a3bd6ef7ea313a264a4c76ecf0a678e1078af"
    "5f"
    "bc1607cba5b6224e04bcd7b6c757eb378ae97cf83d5ec9533400000098000000b0000000c0000000cc000000e00000"
    "00"
    "70fabcc009620600404ebdc009620600020000000000000000000000640000007b2274797065223a224368616e6e65"
    "6c"
    "43726561746564222c2274696d657374616d70223a22323032362d31322d30375431363a34343a34382e3130322b30"
    "35"
    "3030222c226368616e6e656c223a7b226964223a22313739363634333838382e35227d7d01000000040000000c0000"
    "00"
    "313739363634333838382e35000000000e0000004368616e6e656c4372656174656400000b00000063616c6c2d6c65"
    "64"
    "676572001100000030323a66633a30303a30303a30303a3031000000060000007062782d76310000";

std::string Bytes(const char* hex) {
  auto bytes = FromHex(hex);
  REQUIRE(bytes.has_value());
  return *bytes;
}

// The RocksDB database itself, as a schema-1 build leaves it.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& dir) {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {kRecordsFamily, rocksdb::ColumnFamilyOptions()},
        {kIndexFamily, rocksdb::ColumnFamilyOptions()},
    };
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, dir.string(), families, &handles_, &raw);
    INFO(s.ToString());
    REQUIRE(s.ok());
    db_.reset(raw);
  }
  ~RawDb() {
    for (auto* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);  // a test's teardown
    (void)db_->Close();  // nothing to do about a failed close in a destructor
  }
  void PutMeta(const std::string& key, const std::string& value) {
    REQUIRE(db_->Put(rocksdb::WriteOptions(), handles_[0], key, value).ok());
  }
  std::string Meta(const std::string& key) {
    std::string value;
    REQUIRE(db_->Get(rocksdb::ReadOptions(), handles_[0], key, &value).ok());
    return value;
  }
  void PutRecord(Seq seq, const std::string& bytes) {
    REQUIRE(db_->Put(rocksdb::WriteOptions(), handles_[1], EncodeSeqKey(seq), bytes).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

void WriteV1Ledger(const std::filesystem::path& dir) {
  RawDb db(dir);
  const std::string gap = Bytes(kV1Gap), frame = Bytes(kV1Frame);
  db.PutRecord(Seq{1}, gap);
  db.PutRecord(Seq{2}, frame);
  auto last = DecodeRecord(frame);
  REQUIRE(last.ok());
  db.PutMeta(kMetaFormat, kFormatName);
  db.PutMeta(kMetaNode, "pbx-v1");
  db.PutMeta(kMetaSchemaVersion, "1");
  db.PutMeta(kMetaHead, EncodeHead(LedgerHead{Seq{2}, last->hash}));
}

std::unique_ptr<RocksEventLog> Open(const std::filesystem::path& dir, OpenMode mode) {
  RocksOptions options;
  options.mode = mode;
  options.sync_interval_ms = 0;
  auto log = RocksEventLog::Open(dir, options);
  INFO(log.status().ToString());
  REQUIRE(log.ok());
  return std::move(log).value();
}

void CheckVerifies(const EventLog& log, std::uint64_t records) {
  auto report = audit::VerifyLedger(log);
  REQUIRE(report.ok());
  INFO(report->Summary());
  CHECK(report->ok());
  CHECK(report->records == records);
}

TEST_CASE("a schema-1 ledger reads and verifies as before, and its first append raises it to 2") {
  testing::TempDir tmp("rocks-upgrade");
  const auto dir = tmp / "ledger";
  WriteV1Ledger(dir);
  {
    auto reader = Open(dir, OpenMode::kReadOnly);
    CHECK(reader->Info().schema_version == 1);
    CHECK(reader->Info().node == "pbx-v1");
    CheckVerifies(*reader, 2);
    CHECK(*reader->ReadEncoded(Seq{1}) == Bytes(kV1Gap));
  }
  {
    auto writer = Open(dir, OpenMode::kReadWrite);
    // Opening writes nothing: an older build could still open it now.
    CHECK(writer->Info().schema_version == 1);
    RecordDraft cel;
    cel.kind = RecordKind::kCel;
    cel.event_time_us = cel.received_at_us = 1796643890000000;
    cel.payload = "{}";
    Result<SeqRange> appended = writer->Append(std::span(&cel, 1));
    REQUIRE(appended.ok());
    CHECK(appended->first == Seq{3});
    CHECK(writer->Info().schema_version == kRecordSchemaVersion);
    CheckVerifies(*writer, 3);
    // The old records are untouched; the new one says which schema wrote it.
    CHECK(*writer->ReadEncoded(Seq{2}) == Bytes(kV1Frame));
    auto r3 = DecodeRecord(*writer->ReadEncoded(Seq{3}));
    REQUIRE(r3.ok());
    CHECK(r3->version == kRecordSchemaVersion);
    CHECK(r3->kind == RecordKind::kCel);
    CHECK(r3->node == "pbx-v1");
  }
  {
    RawDb db(dir);
    CHECK(db.Meta(kMetaSchemaVersion) == std::to_string(kRecordSchemaVersion));
  }
  auto reopened = Open(dir, OpenMode::kReadOnly);
  CHECK(reopened->Info().schema_version == kRecordSchemaVersion);
  CheckVerifies(*reopened, 3);
}

}  // namespace
}  // namespace callledger::store
