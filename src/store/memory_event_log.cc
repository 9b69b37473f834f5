#include "store/memory_event_log.h"

#include "store/index_keys.h"

namespace callledger::store {

MemoryEventLog::MemoryEventLog(std::string node) : node_(std::move(node)) {}

LedgerInfo MemoryEventLog::Info() const { return LedgerInfo{node_, kRecordSchemaVersion}; }

LedgerHead MemoryEventLog::Head() const {
  std::shared_lock lock(mu_);
  return head_;
}

Result<SeqRange> MemoryEventLog::Append(std::span<const RecordDraft> drafts) {
  if (drafts.empty()) return InvalidInput("append of an empty batch");
  // Encode outside the lock, then publish the whole batch at once.
  LedgerHead head = Head();
  const Seq first = head.seq.Next();
  std::vector<std::string> encoded;
  encoded.reserve(drafts.size());
  IndexBatch index;
  for (const auto& draft : drafts) {
    head.seq = head.seq.Next();
    encoded.push_back(encoder_.Encode(draft, head.seq, node_, head.hash, &head.hash));
    index.AddRecord(draft, head.seq);
  }
  std::unique_lock lock(mu_);
  Seq seq = first;
  for (auto& bytes : encoded) {
    records_.emplace(seq.value, std::move(bytes));
    seq = seq.Next();
  }
  for (auto& [key, value] : index.Finish()) {
    // Keys from Finish() are prefix + 8-byte first seq; the twin keeps one
    // list per prefix.
    std::vector<Seq> seqs;
    DecodeSeqList(value, &seqs);
    auto& list = index_[key.substr(0, key.size() - 8)];
    list.insert(list.end(), seqs.begin(), seqs.end());
  }
  head_ = head;
  return SeqRange{first, head.seq};
}

Result<std::string> MemoryEventLog::ReadEncoded(Seq seq) const {
  std::shared_lock lock(mu_);
  auto it = records_.find(seq.value);
  if (it == records_.end()) return NotFound("no record with seq " + std::to_string(seq.value));
  return it->second;
}

Status MemoryEventLog::ScanEncoded(Seq from, Seq to, const EncodedVisitor& visit) const {
  // Copy the range out so the visitor runs without the lock (it may be slow).
  std::vector<std::pair<std::uint64_t, std::string>> batch;
  std::uint64_t next = from.value;
  while (next <= to.value) {
    batch.clear();
    {
      std::shared_lock lock(mu_);
      for (auto it = records_.lower_bound(next);
           it != records_.end() && it->first <= to.value && batch.size() < 1024; ++it) {
        batch.emplace_back(it->first, it->second);
      }
    }
    if (batch.empty()) break;
    for (const auto& [seq, bytes] : batch) {
      if (!visit(Seq{seq}, bytes)) return Status::Ok();
    }
    if (batch.back().first == UINT64_MAX) break;
    next = batch.back().first + 1;
  }
  return Status::Ok();
}

Result<std::vector<Seq>> MemoryEventLog::Lookup(IndexKind index, std::string_view id) const {
  std::shared_lock lock(mu_);
  auto it = index_.find(IndexPrefix(index, id));
  if (it == index_.end()) return std::vector<Seq>{};
  return it->second;
}

void MemoryEventLog::TamperForTest(Seq seq, std::size_t byte_offset, char new_value) {
  std::unique_lock lock(mu_);
  auto it = records_.find(seq.value);
  if (it != records_.end() && byte_offset < it->second.size()) it->second[byte_offset] = new_value;
}

void MemoryEventLog::EraseForTest(Seq seq) {
  std::unique_lock lock(mu_);
  records_.erase(seq.value);
}

}  // namespace callledger::store
