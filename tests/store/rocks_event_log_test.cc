// What only the RocksDB log does: survive a reopen, own its directory (node
// and lock), refuse a newer schema, read-only opens, and group commit.
#include "store/rocks_event_log.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audit/verify.h"
#include "record/record_codec.h"
#include "store/index_keys.h"
#include "support/temp_dir.h"

namespace callledger::store {
namespace {

std::unique_ptr<RocksEventLog> OpenOk(const std::filesystem::path& dir, RocksOptions options) {
  auto log = RocksEventLog::Open(dir, std::move(options));
  INFO(log.status().ToString());
  REQUIRE(log.ok());
  return std::move(log).value();
}

RocksOptions Writer(std::string node, int sync_interval_ms = 5) {
  RocksOptions o;
  o.node = std::move(node);
  o.sync_interval_ms = sync_interval_ms;
  return o;
}

std::vector<RecordDraft> Drafts(int n, int tag) {
  std::vector<RecordDraft> out;
  for (int i = 0; i < n; ++i) {
    RecordDraft d;
    d.kind = RecordKind::kAriEvent;
    d.event_type = "T" + std::to_string(tag);
    d.channel_ids = {"chan-" + std::to_string(tag)};
    d.payload = "{\"type\":\"T" + std::to_string(tag) + "\",\"i\":" + std::to_string(i) + "}";
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> AllEncoded(const EventLog& log) {
  std::vector<std::string> out;
  REQUIRE(log.ScanEncoded(Seq{1}, Seq{UINT64_MAX},
                          [&](Seq, std::string_view bytes) {
                            out.emplace_back(bytes);
                            return true;
                          })
              .ok());
  return out;
}

TEST_CASE("reopening a ledger keeps head, records, indexes and node") {
  testing::TempDir tmp("rocks-reopen");
  const auto dir = tmp / "ledger";
  LedgerHead head;
  std::vector<std::string> before;
  {
    auto log = OpenOk(dir, Writer("pbx-a"));
    REQUIRE(log->Append(Drafts(3, 1)).ok());
    REQUIRE(log->Append(Drafts(4, 2)).ok());
    head = log->Head();
    before = AllEncoded(*log);
  }
  REQUIRE(head.seq == Seq{7});
  {
    // No node given: the ledger's own node is kept.
    auto log = OpenOk(dir, Writer(""));
    CHECK(log->Info().node == "pbx-a");
    CHECK(log->Info().schema_version == kRecordSchemaVersion);
    CHECK(log->Head().seq == head.seq);
    CHECK(log->Head().hash == head.hash);
    CHECK(AllEncoded(*log) == before);
    Result<std::vector<Seq>> chan = log->Lookup(IndexKind::kChannel, "chan-2");
    REQUIRE(chan.ok());
    CHECK(chan->size() == 4);
    CHECK(chan->front() == Seq{4});

    // Appending continues the chain where it stopped.
    Result<SeqRange> more = log->Append(Drafts(2, 3));
    REQUIRE(more.ok());
    CHECK(more->first == Seq{8});
    Result<Record> r8 = DecodeRecord(*log->ReadEncoded(Seq{8}));
    REQUIRE(r8.ok());
    CHECK(r8->prev_hash == head.hash);
    CHECK(r8->node == "pbx-a");
    Result<audit::VerifyReport> report = audit::VerifyLedger(*log);
    REQUIRE(report.ok());
    CHECK(report->ok());
    CHECK(report->records == 9);
  }
  {
    // Same node given explicitly: fine.
    auto log = OpenOk(dir, Writer("pbx-a"));
    CHECK(log->Head().seq == Seq{9});
  }
}

TEST_CASE("opening a ledger with a different node fails kFailedPrecondition") {
  testing::TempDir tmp("rocks-node");
  const auto dir = tmp / "ledger";
  {
    auto log = OpenOk(dir, Writer("pbx-a"));
    REQUIRE(log->Append(Drafts(1, 1)).ok());
  }
  auto other = RocksEventLog::Open(dir, Writer("pbx-b"));
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().code() == Code::kFailedPrecondition);
  CHECK_THAT(other.status().message(), Catch::Contains("pbx-a") && Catch::Contains("pbx-b"));
  // The refused open left the ledger as it was.
  auto again = OpenOk(dir, Writer("pbx-a"));
  CHECK(again->Head().seq == Seq{1});
}

TEST_CASE("a second read-write open of an open ledger fails kFailedPrecondition") {
  testing::TempDir tmp("rocks-lock");
  const auto dir = tmp / "ledger";
  auto first = OpenOk(dir, Writer("pbx-a"));
  REQUIRE(first->Append(Drafts(2, 1)).ok());

  auto second = RocksEventLog::Open(dir, Writer("pbx-a"));
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Code::kFailedPrecondition);
  CHECK_THAT(second.status().message(), Catch::Contains(dir.string()) && Catch::Contains("in use"));

  // The first writer is unaffected.
  Result<SeqRange> more = first->Append(Drafts(1, 2));
  REQUIRE(more.ok());
  CHECK(more->first == Seq{3});

  // Once it is closed, the directory can be opened again.
  first.reset();
  auto reopened = OpenOk(dir, Writer("pbx-a"));
  CHECK(reopened->Head().seq == Seq{3});
}

TEST_CASE("read-only opens: missing ledger is kNotFound, an open one can be read") {
  testing::TempDir tmp("rocks-readonly");
  RocksOptions ro;
  ro.mode = OpenMode::kReadOnly;

  SECTION("missing directory") {
    auto missing = RocksEventLog::Open(tmp / "nope", ro);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().code() == Code::kNotFound);
    CHECK_FALSE(std::filesystem::exists(tmp / "nope"));
  }
  SECTION("existing empty directory") {
    std::filesystem::create_directories(tmp / "empty");
    auto empty = RocksEventLog::Open(tmp / "empty", ro);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.status().code() == Code::kNotFound);
  }
  SECTION("create_if_missing = false on a read-write open") {
    RocksOptions rw = Writer("pbx-a");
    rw.create_if_missing = false;
    auto missing = RocksEventLog::Open(tmp / "nope", rw);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().code() == Code::kNotFound);
    CHECK_FALSE(std::filesystem::exists(tmp / "nope"));
  }
  SECTION("read-only next to a writer sees the log as of opening, cannot append") {
    const auto dir = tmp / "ledger";
    auto writer = OpenOk(dir, Writer("pbx-a"));
    REQUIRE(writer->Append(Drafts(5, 1)).ok());
    auto reader = OpenOk(dir, ro);
    CHECK(reader->Info().node == "pbx-a");
    CHECK(reader->Head().seq == Seq{5});
    CHECK(reader->Head().hash == writer->Head().hash);
    CHECK(AllEncoded(*reader) == AllEncoded(*writer));
    Result<SeqRange> refused = reader->Append(Drafts(1, 2));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Code::kFailedPrecondition);
    CHECK(reader->Sync().ok());
    Result<audit::VerifyReport> report = audit::VerifyLedger(*reader);
    REQUIRE(report.ok());
    CHECK(report->ok());
    CHECK(report->records == 5);
  }
}

TEST_CASE("a ledger written by a newer schema version is refused, naming the version") {
  // The next schema version (what this build is to a build before the
  // `cel` kind), and one far ahead.
  const std::string newer = GENERATE(std::to_string(kRecordSchemaVersion + 1), std::string("99"));
  testing::TempDir tmp("rocks-schema");
  const auto dir = tmp / "ledger";
  {
    auto log = OpenOk(dir, Writer("pbx-a"));
    REQUIRE(log->Append(Drafts(2, 1)).ok());
  }
  {
    // Bump the metadata through the raw RocksDB API.
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {kRecordsFamily, rocksdb::ColumnFamilyOptions()},
        {kIndexFamily, rocksdb::ColumnFamilyOptions()},
    };
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        rocksdb::DB::Open(rocksdb::DBOptions(), dir.string(), families, &handles, &raw);
    INFO(s.ToString());
    REQUIRE(s.ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string current;
    REQUIRE(db->Get(rocksdb::ReadOptions(), handles[0], kMetaSchemaVersion, &current).ok());
    CHECK(current == std::to_string(kRecordSchemaVersion));
    REQUIRE(db->Put(rocksdb::WriteOptions(), handles[0], kMetaSchemaVersion, newer).ok());
    for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(db->Close().ok());
  }
  for (OpenMode mode : {OpenMode::kReadWrite, OpenMode::kReadOnly}) {
    RocksOptions options = Writer("pbx-a");
    options.mode = mode;
    auto refused = RocksEventLog::Open(dir, options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Code::kFailedPrecondition);
    CHECK_THAT(refused.status().message(),
               Catch::Contains("written by schema version " + newer + ", newer than this build's " +
                               std::to_string(kRecordSchemaVersion)));
  }
}

TEST_CASE("sync_interval_ms 0 fsyncs every append") {
  testing::TempDir tmp("rocks-sync0");
  auto log = OpenOk(tmp / "ledger", Writer("pbx-a", 0));
  CHECK(log->synced_seq() == Seq{0});
  const std::uint64_t start = log->sync_count();
  for (int i = 1; i <= 5; ++i) {
    Result<SeqRange> r = log->Append(Drafts(3, i));
    REQUIRE(r.ok());
    // Synced before Append returned.
    CHECK(log->synced_seq() == r->last);
    CHECK(log->sync_count() == start + static_cast<std::uint64_t>(i));
  }
  REQUIRE(log->Sync().ok());
  CHECK(log->synced_seq() == log->Head().seq);
  CHECK(log->sync_count() == start + 6);
}

TEST_CASE("sync_interval_ms 5 groups fsyncs and Sync() reaches the head") {
  testing::TempDir tmp("rocks-sync5");
  const auto dir = tmp / "ledger";
  {
    auto log = OpenOk(dir, Writer("pbx-a", 5));
    const std::uint64_t start = log->sync_count();
    Seq last;
    for (int i = 1; i <= 50; ++i) {
      Result<SeqRange> r = log->Append(Drafts(2, i));
      REQUIRE(r.ok());
      last = r->last;
    }
    CHECK(log->synced_seq() <= last);
    REQUIRE(log->Sync().ok());
    CHECK(log->synced_seq() == last);
    CHECK(log->sync_count() > start);
    // Group commit never fsyncs more than once per append (plus Sync()).
    CHECK(log->sync_count() - start <= 51);

    // Without Sync(), the background syncer catches up on its own. Waiting
    // on the documented bound (with a generous deadline), not on a sleep.
    Result<SeqRange> r = log->Append(Drafts(1, 99));
    REQUIRE(r.ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (log->synced_seq() < r->last && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    CHECK(log->synced_seq() == r->last);
  }
  // A reopened ledger counts everything on disk as synced.
  auto reopened = OpenOk(dir, Writer("pbx-a", 5));
  CHECK(reopened->synced_seq() == reopened->Head().seq);
  CHECK(reopened->Head().seq == Seq{101});
}

TEST_CASE("SizeOnDisk grows with appended data") {
  testing::TempDir tmp("rocks-size");
  auto log = OpenOk(tmp / "ledger", Writer("pbx-a", 0));
  const std::uint64_t empty = log->SizeOnDisk();
  std::vector<RecordDraft> big = Drafts(20, 1);
  for (auto& d : big) d.payload.append(std::string(10000, 'x'));
  REQUIRE(log->Append(big).ok());
  CHECK(log->SizeOnDisk() > empty + 100000);
}

}  // namespace
}  // namespace callledger::store
