// RocksEventLog: the ledger in RocksDB (layout in store/index_keys.h and
// docs/log_format.md).
//
// Durability: each Append is one WriteBatch written to RocksDB's WAL before
// Append returns, so a crash of the process loses nothing appended. With
// sync_interval_ms == 0 every batch is fsynced before Append returns; with
// N > 0 a background thread fsyncs the WAL at most N ms after the first
// unsynced append (group commit: many batches, one fsync).
//
// A write or fsync that fails leaves nothing of its batch visible, and
// RocksDB refuses every write after it until it is resumed; the next Append
// (or Sync) resumes it first (DB::Resume(), which flushes the memtables and
// starts a new WAL, so nothing of a failed batch can reappear later), and
// goes on once that succeeds. A full disk is said plainly (kUnavailable, "the
// ledger's disk is full (<dir>: No space left on device): ..."): append the
// same drafts again once space is freed (store/rocks_errors.h). When the
// ledger cannot be resumed in this process (a resume that does not finish
// within resume_timeout, or a failed write with nothing in the memtables),
// every Append and Sync answers kAborted: only a new process, which opens
// the ledger again and replays its WAL, can append; nothing appended is
// lost.
//
// Opening takes RocksDB's lock on the directory: a second writer fails with
// kFailedPrecondition. ReadOnly mode takes no lock and sees the log as it was
// when opened (auditors can read a ledger the daemon is writing).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/event_log.h"
#include "core/metrics.h"
#include "record/record_codec.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
class Status;
}  // namespace rocksdb

namespace callledger::store {

enum class OpenMode { kReadWrite, kReadOnly };

struct RocksOptions {
  OpenMode mode = OpenMode::kReadWrite;
  // Node name for a new ledger; for an existing one it must match if given.
  std::string node;
  // Create the ledger if the directory holds none (read-write only).
  bool create_if_missing = true;
  // 0 = fsync every batch; N = fsync at most N ms after an append.
  int sync_interval_ms = 5;
  // When set, observes the duration of each WAL fsync of the group commit
  // (seconds). Not owned; must outlive the log.
  Histogram* sync_latency = nullptr;
  // How long DB::Resume() may take. RocksDB 7.8 can wait for ever in it
  // for a flush that failed while the disk was full and is never retried
  // (seen on a full tmpfs, about one resume in twelve): past this the
  // ledger takes no more records in this process (kAborted, below).
  std::chrono::milliseconds resume_timeout{30000};
  // The environment RocksDB's files go through; nullptr for the default.
  // Tests inject faults with it (a full disk). Not owned; must outlive the
  // log.
  rocksdb::Env* env = nullptr;
};

class RocksEventLog final : public EventLog {
 public:
  static Result<std::unique_ptr<RocksEventLog>> Open(const std::filesystem::path& dir,
                                                     RocksOptions options);
  ~RocksEventLog() override;

  LedgerInfo Info() const override;
  LedgerHead Head() const override;
  Result<SeqRange> Append(std::span<const RecordDraft> drafts) override;
  Status Sync() override;
  Result<std::string> ReadEncoded(Seq seq) const override;
  Status ScanEncoded(Seq from, Seq to, const EncodedVisitor& visit) const override;
  Result<std::vector<Seq>> Lookup(IndexKind index, std::string_view id) const override;
  std::uint64_t SizeOnDisk() const override;

  // Number of WAL fsyncs so far (for benchmarks and metrics).
  std::uint64_t sync_count() const { return sync_count_.load(); }
  // Highest seq known to be fsynced.
  Seq synced_seq() const { return Seq{synced_seq_.load()}; }
  // Number of times RocksDB was resumed after a failed write or fsync.
  std::uint64_t resume_count() const { return resume_count_.load(); }

  // The RocksDB handles, for failure-injection tests only.
  rocksdb::DB* raw_db_for_test() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* records_family_for_test() const { return records_; }

 private:
  RocksEventLog() = default;
  Status Init(const std::filesystem::path& dir, RocksOptions options);
  void SyncLoop();
  Status SyncNow();
  // Resumes RocksDB if a write or fsync failed since it last took one.
  Status ResumeIfStopped();
  bool MemtablesHoldData() const;
  std::uint64_t MemtableBytes() const;
  // Room a resume needs beyond the memtables' bytes (new WAL, MANIFEST,
  // OPTIONS, SST overhead).
  static constexpr std::uint64_t kResumeMarginBytes = 1 << 20;
  // Writes the head as it is. After an open or a resume RocksDB's memtables
  // are empty, and a resume after a failed write needs one that is not
  // (ResumeIfStopped); the writer touches before its first batch. Writer
  // thread only: a head written beside an Append could be an old one.
  Status Touch();
  Status RocksError(const rocksdb::Status& s, std::string_view what) const;

  RocksOptions options_;
  std::filesystem::path dir_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_ = nullptr;
  rocksdb::ColumnFamilyHandle* records_ = nullptr;
  rocksdb::ColumnFamilyHandle* index_ = nullptr;
  LedgerInfo info_;

  mutable std::mutex head_mu_;
  LedgerHead head_;

  RecordEncoder encoder_;  // writer only

  // Set when a write or fsync fails (RocksDB then refuses writes until
  // resumed); cleared by a successful resume. The mutex keeps the writer
  // and the group-commit thread from resuming at once (RocksDB would answer
  // the second one Busy).
  std::atomic<bool> must_resume_{false};
  // Held across a write and the flag above, and across an fsync: RocksDB
  // 7.8 aborts on an fsync of a WAL whose last write failed, so an fsync
  // never runs beside a write (group commit still gathers the batches
  // written between two fsyncs).
  std::mutex wal_mu_;
  std::atomic<bool> must_touch_{false};  // after a resume: Touch() before the next batch
  std::mutex resume_mu_;
  std::atomic<std::uint64_t> resume_count_{0};
  // Set when the ledger cannot be resumed in this process (ResumeIfStopped).
  std::atomic<bool> resume_given_up_{false};
  // A Resume() running on a thread of its own (ResumeIfStopped). One that
  // did not finish in time may still run: the destructor waits a moment for
  // it, and else leaves RocksDB as it is.
  struct ResumeJob;
  std::shared_ptr<ResumeJob> resume_job_;
  bool ResumeFinishedWithin(std::chrono::milliseconds wait) const;
  Status GiveUpResuming(std::string why);

  // Group commit.
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool stopping_ = false;
  bool dirty_ = false;
  std::uint64_t pending_seq_ = 0;
  std::atomic<std::uint64_t> synced_seq_{0};
  std::atomic<std::uint64_t> sync_count_{0};
  std::thread syncer_;
};

}  // namespace callledger::store
