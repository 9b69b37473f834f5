// RocksEventLog after a failed write or fsync: resuming RocksDB, and the
// write of the head as it is that keeps a resume possible (the contract is
// in store/rocks_event_log.h, RocksDB's side in store/rocks_errors.h).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <string>

#include "store/index_keys.h"
#include "store/rocks_errors.h"
#include "store/rocks_event_log.h"

namespace callledger::store {

std::uint64_t RocksEventLog::MemtableBytes() const {
  std::uint64_t total = 0;
  for (auto* family : {default_, records_, index_}) {
    std::uint64_t bytes = 0;
    if (db_->GetIntProperty(family, rocksdb::DB::Properties::kCurSizeAllMemTables, &bytes)) {
      total += bytes;
    }
  }
  return total;
}

bool RocksEventLog::MemtablesHoldData() const {
  for (auto* family : {default_, records_, index_}) {
    std::uint64_t entries = 0;
    if (!db_->GetIntProperty(family, rocksdb::DB::Properties::kNumEntriesActiveMemTable,
                             &entries) ||
        entries > 0) {
      return true;  // unknown counts as holding data: let Resume() decide
    }
  }
  return false;
}

Status RocksEventLog::ResumeIfStopped() {
  if (!must_resume_.load()) return Status::Ok();
  std::lock_guard lock(resume_mu_);
  if (!must_resume_.load()) return Status::Ok();
  // Resume() starts a new WAL only by flushing a memtable that holds data;
  // with none it keeps the WAL whose write failed, and RocksDB 7.8 aborts
  // on the next write to it. The memtables are empty only if the write that
  // failed was the first after an open or a resume (Touch() below), which
  // changes nothing; a new process reopens the ledger safely.
  if (!MemtablesHoldData()) {
    return Unavailable("the ledger " + dir_.string() +
                       " failed a write right after it was opened or resumed and cannot be "
                       "resumed in this process: restart it (nothing appended is lost)");
  }
  // Resume() flushes the memtables. With the disk still full that flush
  // fails, and RocksDB 7.8 was seen to wait for it for ever (on a full
  // tmpfs, one run in three): resume only when the file system has room
  // for what the memtables hold.
  const std::uint64_t needed = MemtableBytes() + kResumeMarginBytes;
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(dir_, ec);
  if (!ec && space.available < needed) {
    return Unavailable("the ledger's disk is full (" + dir_.string() +
                       ": No space left on device): " + std::to_string(space.available) +
                       " bytes free, and resuming the ledger needs about " +
                       std::to_string(needed) + "; nothing was appended");
  }
  const rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) {
    return RocksError(resumed,
                      "the ledger refuses writes since one failed, and resuming it failed; nothing "
                      "was appended");
  }
  must_resume_ = false;
  must_touch_ = true;
  resume_count_.fetch_add(1);
  return Status::Ok();
}

Status RocksEventLog::Touch() {
  rocksdb::WriteBatch batch;
  batch.Put(default_, kMetaHead, EncodeHead(Head()));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_interval_ms == 0;
  std::lock_guard wal(wal_mu_);
  if (const rocksdb::Status written = db_->Write(wo, &batch); !written.ok()) {
    must_resume_ = true;
    return RocksError(written, "rewriting the ledger's head failed; nothing was appended");
  }
  must_touch_ = false;
  return Status::Ok();
}

}  // namespace callledger::store
