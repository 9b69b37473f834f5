// The ledger on a disk that fills up and is freed again, on the real POSIX
// file system with faults injected (full_disk_fs.h): an append that fails
// says so plainly, leaves the head and the records as they were, and the
// same drafts appended again once space is back go in exactly once, also
// after a reopen. RocksDB stops all writes after such a failure until it is
// resumed (store/rocks_errors.h); these tests fail if the log does not.
#include <rocksdb/env.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "disk_full_checks.h"
#include "full_disk_fs.h"
#include "store/rocks_event_log.h"
#include "support/temp_dir.h"

namespace callledger::store {
namespace {

using testing::NumberedDrafts;
using testing::Range;
using testing::VerifiedNumbers;

// A ledger whose files go through a file system the test can fill.
struct FaultyLedger {
  testing::TempDir tmp{"disk-full"};
  std::filesystem::path dir = tmp / "ledger";
  std::shared_ptr<testing::FullDiskFileSystem> fs = std::make_shared<testing::FullDiskFileSystem>();
  std::unique_ptr<rocksdb::Env> env = testing::EnvOver(fs);

  std::unique_ptr<RocksEventLog> Open(int sync_interval_ms) {
    RocksOptions options;
    options.node = "pbx-full";
    options.sync_interval_ms = sync_interval_ms;
    options.env = env.get();
    auto log = RocksEventLog::Open(dir, options);
    INFO(log.status().ToString());
    REQUIRE(log.ok());
    return std::move(log).value();
  }
};

void RequireDiskFull(const Status& s, const std::filesystem::path& dir) {
  INFO(s.ToString());
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == Code::kUnavailable);
  CHECK_THAT(s.message(), Catch::StartsWith("the ledger's disk is full (" + dir.string() +
                                            ": No space left on device)"));
}

void RequireAppended(Result<SeqRange> r, std::uint64_t first, std::uint64_t last) {
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->first == Seq{first});
  CHECK(r->last == Seq{last});
}

TEST_CASE("a full disk fails the append plainly, and the same drafts go in once space is back") {
  const int sync_interval_ms = GENERATE(0, 5);
  INFO("sync_interval_ms " << sync_interval_ms);
  FaultyLedger ledger;
  {
    auto log = ledger.Open(sync_interval_ms);
    RequireAppended(log->Append(NumberedDrafts(1, 10)), 1, 10);
    const LedgerHead before = log->Head();

    ledger.fs->Fill();
    const auto held = NumberedDrafts(11, 10);
    Result<SeqRange> failed = log->Append(held);
    RequireDiskFull(failed.status(), ledger.dir);
    CHECK_THAT(failed.status().message(),
               Catch::Contains("appending 10 records (seq 11..20) failed and none of them was "
                               "stored"));
    CHECK(ledger.fs->refused() > 0);
    // Nothing of the batch is visible, and the head has not moved.
    CHECK(log->Head().seq == before.seq);
    CHECK(log->Head().hash == before.hash);
    CHECK(log->ReadEncoded(Seq{11}).status().code() == Code::kNotFound);
    CHECK(VerifiedNumbers(*log) == Range(1, 10));

    // Still full: the retry fails the same way (resuming RocksDB fails).
    RequireDiskFull(log->Append(held).status(), ledger.dir);
    CHECK(log->Head().seq == before.seq);
    CHECK(log->resume_count() == 0);

    ledger.fs->Free();
    RequireAppended(log->Append(held), 11, 20);
    CHECK(log->resume_count() == 1);
    RequireAppended(log->Append(NumberedDrafts(21, 5)), 21, 25);
    REQUIRE(log->Sync().ok());
    CHECK(log->synced_seq() == Seq{25});
    CHECK(VerifiedNumbers(*log) == Range(1, 25));
  }
  // What the torn writes left in the old WAL never comes back.
  auto reopened = ledger.Open(sync_interval_ms);
  CHECK(reopened->Head().seq == Seq{25});
  CHECK(VerifiedNumbers(*reopened) == Range(1, 25));
  RequireAppended(reopened->Append(NumberedDrafts(26, 1)), 26, 26);
}

// RocksDB 7.8's DB::Resume() can wait for ever for a flush that failed on
// the full disk (seen on a real tmpfs: tmpfs_full_test.cc). Here the flush
// it starts is stalled instead: the append gives up after resume_timeout,
// says that only a new process can append, and goes on saying so; the
// ledger opened again (a new process) has everything appended before.
TEST_CASE("a resume that does not finish in time: kAborted, and a new open appends") {
  FaultyLedger ledger;
  {
    RocksOptions options;
    options.node = "pbx-full";
    options.sync_interval_ms = 0;
    options.env = ledger.env.get();
    options.resume_timeout = std::chrono::milliseconds(300);
    auto opened = RocksEventLog::Open(ledger.dir, options);
    REQUIRE(opened.ok());
    auto& log = **opened;
    RequireAppended(log.Append(NumberedDrafts(1, 10)), 1, 10);
    ledger.fs->Fill();
    RequireDiskFull(log.Append(NumberedDrafts(11, 10)).status(), ledger.dir);
    ledger.fs->Free();
    ledger.fs->Stall();  // the resume's flush never finishes
    const auto start = std::chrono::steady_clock::now();
    const Status stuck = log.Append(NumberedDrafts(11, 10)).status();
    INFO(stuck.ToString());
    CHECK(stuck.code() == Code::kAborted);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(300));
    CHECK_THAT(stuck.message(),
               Catch::StartsWith("the ledger " + ledger.dir.string() +
                                 " cannot be resumed in this process: RocksDB's Resume() did "
                                 "not finish within 300 ms"));
    CHECK_THAT(stuck.message(), Catch::EndsWith("restart the daemon (nothing appended is lost)"));
    CHECK(ledger.fs->stalled_writes() > 0);
    // Given up: later appends and syncs say so at once, nothing moves.
    ledger.fs->Unstall();
    CHECK(log.Append(NumberedDrafts(11, 10)).status().code() == Code::kAborted);
    CHECK(log.Sync().code() == Code::kAborted);
    CHECK(log.Head().seq == Seq{10});
    CHECK(log.resume_count() == 0);
  }
  auto reopened = ledger.Open(0);
  CHECK(VerifiedNumbers(*reopened) == Range(1, 10));
  RequireAppended(reopened->Append(NumberedDrafts(11, 10)), 11, 20);
}

// Right after an open RocksDB's memtables are empty, so resuming has nothing
// to flush: the log must still get a WAL that takes writes again.
TEST_CASE("the first append after an open may meet the full disk and still resume") {
  FaultyLedger ledger;
  { RequireAppended(ledger.Open(5)->Append(NumberedDrafts(1, 3)), 1, 3); }
  {
    auto log = ledger.Open(5);
    ledger.fs->Fill();
    RequireDiskFull(log->Append(NumberedDrafts(4, 3)).status(), ledger.dir);
    ledger.fs->Free();
    RequireAppended(log->Append(NumberedDrafts(4, 3)), 4, 6);
    RequireAppended(log->Append(NumberedDrafts(7, 3)), 7, 9);
  }
  CHECK(VerifiedNumbers(*ledger.Open(5)) == Range(1, 9));
}

// With sync_interval_ms 0 the batch is in the WAL whole when its fsync
// fails: it must not be visible, and must not come back on a reopen after
// the same drafts were appended again (that would store them twice).
TEST_CASE("an fsync that fails for lack of space fails the append, and nothing is kept twice") {
  FaultyLedger ledger;
  {
    auto log = ledger.Open(0);
    RequireAppended(log->Append(NumberedDrafts(1, 4)), 1, 4);
    ledger.fs->FailSyncs();
    RequireDiskFull(log->Append(NumberedDrafts(5, 4)).status(), ledger.dir);
    CHECK(log->Head().seq == Seq{4});
    CHECK(log->ReadEncoded(Seq{5}).status().code() == Code::kNotFound);
    ledger.fs->Free();
    RequireAppended(log->Append(NumberedDrafts(5, 4)), 5, 8);
    CHECK(log->synced_seq() == Seq{8});
  }
  CHECK(VerifiedNumbers(*ledger.Open(0)) == Range(1, 8));
}

// With group commit the appends succeed (they are in the WAL and visible)
// and the fsync behind them fails: Sync() says so, RocksDB stops writes,
// and once space is back the next Sync() resumes and reaches the head.
TEST_CASE("a group-commit fsync that fails for lack of space is reported and recovered") {
  FaultyLedger ledger;
  {
    auto log = ledger.Open(5);
    RequireAppended(log->Append(NumberedDrafts(1, 4)), 1, 4);
    REQUIRE(log->Sync().ok());
    ledger.fs->FailSyncs();
    RequireAppended(log->Append(NumberedDrafts(5, 4)), 5, 8);
    RequireDiskFull(log->Sync(), ledger.dir);
    CHECK(log->synced_seq() == Seq{4});
    // RocksDB refuses writes now, and resuming needs an fsync too.
    RequireDiskFull(log->Append(NumberedDrafts(9, 2)).status(), ledger.dir);
    CHECK(log->Head().seq == Seq{8});
    CHECK(VerifiedNumbers(*log) == Range(1, 8));

    ledger.fs->Free();
    REQUIRE(log->Sync().ok());
    CHECK(log->synced_seq() == Seq{8});
    RequireAppended(log->Append(NumberedDrafts(9, 2)), 9, 10);
  }
  CHECK(VerifiedNumbers(*ledger.Open(5)) == Range(1, 10));
}

}  // namespace
}  // namespace callledger::store
