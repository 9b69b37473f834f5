// A RocksDB file system that can be made full: the real POSIX file system,
// except that while `Fill()` is in force every write to a file RocksDB
// writes (WAL, SST, MANIFEST, ...) stores only the first half of its bytes
// and then fails with IOStatus::NoSpace, as a write(2) that ran out of
// space half way does; while `FailSyncs()` is in force every fsync fails
// with NoSpace (a file system that allocates at fsync, e.g. NFS or a thin
// volume). `Free()` lifts both. While `Stall()` is in force every write
// waits until `Unstall()` (a RocksDB call that never returns, as
// DB::Resume() can on a real full disk). For tests only.
//
// Thread safety: the flags are atomics; RocksDB's threads may write while
// the test flips them. The file system must outlive the Env made from it
// and every DB opened with that Env.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace callledger::testing {

class FullDiskFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FullDiskFileSystem();

  static const char* kClassName() { return "FullDiskFileSystem"; }
  const char* Name() const override { return kClassName(); }

  void Fill() { writes_fail_ = true; }
  void FailSyncs() { syncs_fail_ = true; }
  void Free() {
    writes_fail_ = false;
    syncs_fail_ = false;
  }
  void Stall() { stalled_ = true; }
  void Unstall() { stalled_ = false; }
  // Writes waiting in a stall now.
  int stalled_writes() const { return stalled_writes_.load(); }
  // Writes and fsyncs refused so far.
  std::uint64_t refused() const { return refused_.load(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* dbg) override;

 private:
  class File;
  // Wraps a file the target opened (if it did) in one that obeys the flags.
  rocksdb::IOStatus Wrap(rocksdb::IOStatus opened, std::unique_ptr<rocksdb::FSWritableFile>* file);

  std::atomic<bool> writes_fail_{false};
  std::atomic<bool> syncs_fail_{false};
  std::atomic<bool> stalled_{false};
  std::atomic<int> stalled_writes_{0};
  std::atomic<std::uint64_t> refused_{0};
};

// A DB environment whose files go through `fs` (the default Env otherwise).
std::unique_ptr<rocksdb::Env> EnvOver(const std::shared_ptr<FullDiskFileSystem>& fs);

}  // namespace callledger::testing
