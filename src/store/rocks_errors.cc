#include "store/rocks_errors.h"

#include <rocksdb/listener.h>
#include <rocksdb/status.h>

#include <string>

namespace callledger::store {
namespace {

// The text of ENOSPC, which some RocksDB paths pass on only as text (an
// IOError without the kNoSpace subcode).
constexpr std::string_view kNoSpaceText = "No space left on device";

class WriterResumes final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "call-ledger: the writer resumes"; }

  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/, rocksdb::Status bg_error,
                            bool* auto_recovery) override {
    // RocksDB hands the status over to be looked at, not acted on; it is
    // marked checked so that a RocksDB built with status checking is quiet.
    bg_error.PermitUncheckedError();
    if (bg_error.severity() >= rocksdb::Status::Severity::kHardError) *auto_recovery = false;
  }
};

}  // namespace

bool IsDiskFull(const rocksdb::Status& s) {
  if (s.IsNoSpace()) return true;
  return s.IsIOError() && s.ToString().find(kNoSpaceText) != std::string::npos;
}

Status RocksErrorStatus(const rocksdb::Status& s, std::string_view what,
                        const std::filesystem::path& dir) {
  if (s.ok()) return Status::Ok();
  if (IsDiskFull(s)) {
    return Unavailable("the ledger's disk is full (" + dir.string() + ": " +
                       std::string(kNoSpaceText) + "): " + std::string(what) + " [" + s.ToString() +
                       "]");
  }
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound(std::move(msg));
  if (s.IsCorruption()) return DataLoss(std::move(msg));
  if (s.IsInvalidArgument()) return InvalidInput(std::move(msg));
  return Unavailable(std::move(msg));
}

std::shared_ptr<rocksdb::EventListener> WriterResumesListener() {
  return std::make_shared<WriterResumes>();
}

}  // namespace callledger::store
