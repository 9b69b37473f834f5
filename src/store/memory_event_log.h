// MemoryEventLog: the in-memory twin of RocksEventLog, for tests and for
// `ledger-replay fixture`. Same contract (core/event_log.h), same encoding and
// hash chain; nothing survives the process. Readers may run concurrently
// with the single writer.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "record/record_codec.h"

namespace callledger::store {

class MemoryEventLog final : public EventLog {
 public:
  explicit MemoryEventLog(std::string node);

  LedgerInfo Info() const override;
  LedgerHead Head() const override;
  Result<SeqRange> Append(std::span<const RecordDraft> drafts) override;
  Status Sync() override { return Status::Ok(); }
  Result<std::string> ReadEncoded(Seq seq) const override;
  Status ScanEncoded(Seq from, Seq to, const EncodedVisitor& visit) const override;
  Result<std::vector<Seq>> Lookup(IndexKind index, std::string_view id) const override;
  std::uint64_t SizeOnDisk() const override { return 0; }

  // For failure-injection tests: direct access to stored bytes, as a
  // RocksDB test would use the RocksDB API. Erase removes a record.
  void TamperForTest(Seq seq, std::size_t byte_offset, char new_value);
  void EraseForTest(Seq seq);

 private:
  const std::string node_;
  mutable std::shared_mutex mu_;
  std::map<std::uint64_t, std::string> records_;   // seq -> encoded bytes
  std::map<std::string, std::vector<Seq>> index_;  // IndexPrefix -> seqs
  LedgerHead head_;
  RecordEncoder encoder_;  // used by the single writer only
};

}  // namespace callledger::store
