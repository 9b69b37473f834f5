// RocksEventLog after a failed write or fsync: resuming RocksDB, and the
// write of the head as it is that keeps a resume possible (the contract is
// in store/rocks_event_log.h, RocksDB's side in store/rocks_errors.h).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

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

struct RocksEventLog::ResumeJob {
  std::promise<rocksdb::Status> done;
  std::future<rocksdb::Status> result = done.get_future();
};

bool RocksEventLog::ResumeFinishedWithin(std::chrono::milliseconds wait) const {
  return !resume_job_ || resume_job_->result.wait_for(wait) == std::future_status::ready;
}

Status RocksEventLog::GiveUpResuming(std::string why) {
  resume_given_up_ = true;
  return Aborted("the ledger " + dir_.string() + " cannot be resumed in this process: " +
                 std::move(why) + "; restart the daemon (nothing appended is lost)");
}

Status RocksEventLog::ResumeIfStopped() {
  if (!must_resume_.load()) return Status::Ok();
  std::lock_guard lock(resume_mu_);
  if (!must_resume_.load()) return Status::Ok();
  if (resume_given_up_.load()) return GiveUpResuming("it was given up on before");
  // Resume() starts a new WAL only by flushing a memtable that holds data;
  // with none it keeps the WAL whose write failed, and RocksDB 7.8 aborts
  // on the next write to it. The memtables are empty only if the write that
  // failed was the first after an open or a resume (Touch() below), which
  // changes nothing; a new process reopens the ledger safely.
  if (!MemtablesHoldData()) {
    return GiveUpResuming("it failed a write right after it was opened or resumed");
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
  // Resume() on a thread of its own, waited for resume_timeout at most:
  // RocksDB 7.8 can wait in it for ever for a flush that failed on the
  // full disk and is never scheduled again (rocksdb issue 15030). That
  // thread then stays blocked; the destructor leaves the DB to it.
  resume_job_ = std::make_shared<ResumeJob>();
  std::thread([db = db_.get(), job = resume_job_] { job->done.set_value(db->Resume()); }).detach();
  if (!ResumeFinishedWithin(options_.resume_timeout)) {
    return GiveUpResuming("RocksDB's Resume() did not finish within " +
                          std::to_string(options_.resume_timeout.count()) +
                          " ms (it waits for a flush that failed while the disk was full)");
  }
  const rocksdb::Status resumed = resume_job_->result.get();
  resume_job_.reset();
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
