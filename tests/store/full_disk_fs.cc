#include "full_disk_fs.h"

#include <chrono>
#include <thread>
#include <utility>

namespace callledger::testing {

class FullDiskFileSystem::File final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(std::unique_ptr<rocksdb::FSWritableFile> target, FullDiskFileSystem& fs)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    WaitWhileStalled();
    if (!fs_.writes_fail_) return target()->Append(data, options, dbg);
    return HalfThenFull(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    WaitWhileStalled();
    if (!fs_.writes_fail_) return target()->Append(data, options, info, dbg);
    return HalfThenFull(data, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (!fs_.writes_fail_) return target()->PositionedAppend(data, offset, options, dbg);
    return Refuse("PositionedAppend");
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    if (!fs_.writes_fail_) return target()->PositionedAppend(data, offset, options, info, dbg);
    return Refuse("PositionedAppend");
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (!fs_.syncs_fail_) return target()->Sync(options, dbg);
    return Refuse("Sync");
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (!fs_.syncs_fail_) return target()->Fsync(options, dbg);
    return Refuse("Fsync");
  }
  rocksdb::IOStatus RangeSync(std::uint64_t offset, std::uint64_t nbytes,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (!fs_.syncs_fail_) return target()->RangeSync(offset, nbytes, options, dbg);
    return Refuse("RangeSync");
  }

 private:
  void WaitWhileStalled() {
    if (!fs_.stalled_) return;
    fs_.stalled_writes_.fetch_add(1);
    while (fs_.stalled_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    fs_.stalled_writes_.fetch_sub(1);
  }
  // The first half of the bytes reach the file, as when write(2) runs out
  // of space part way, so what RocksDB leaves behind is a torn record.
  rocksdb::IOStatus HalfThenFull(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                                 rocksdb::IODebugContext* dbg) {
    const rocksdb::Slice half(data.data(), data.size() / 2);
    if (!half.empty()) {
      if (rocksdb::IOStatus s = target()->Append(half, options, dbg); !s.ok()) return s;
    }
    return Refuse("Append");
  }
  rocksdb::IOStatus Refuse(const char* what) {
    fs_.refused_.fetch_add(1);
    return rocksdb::IOStatus::NoSpace(std::string("injected by the test's full disk: ") + what,
                                      "No space left on device");
  }

  FullDiskFileSystem& fs_;
};

FullDiskFileSystem::FullDiskFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

rocksdb::IOStatus FullDiskFileSystem::Wrap(rocksdb::IOStatus opened,
                                           std::unique_ptr<rocksdb::FSWritableFile>* file) {
  if (opened.ok()) *file = std::make_unique<File>(std::move(*file), *this);
  return opened;
}

rocksdb::IOStatus FullDiskFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, rocksdb::IODebugContext* dbg) {
  return Wrap(target()->NewWritableFile(name, options, file, dbg), file);
}

rocksdb::IOStatus FullDiskFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, rocksdb::IODebugContext* dbg) {
  return Wrap(target()->ReopenWritableFile(name, options, file, dbg), file);
}

rocksdb::IOStatus FullDiskFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, rocksdb::IODebugContext* dbg) {
  return Wrap(target()->ReuseWritableFile(name, old_name, options, file, dbg), file);
}

std::unique_ptr<rocksdb::Env> EnvOver(const std::shared_ptr<FullDiskFileSystem>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

}  // namespace callledger::testing
