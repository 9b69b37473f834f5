// Keys and values of the ledger's RocksDB layout (docs/log_format.md).
//
// records CF:  key = seq as 8 bytes big-endian, value = encoded record.
// index CF:    key = <kind byte><id><0x00><first seq, 8 bytes BE>,
//              value = the seqs of one append batch that mention the id,
//              as LEB128 varints: the first seq, then deltas.
//              One key per (id, batch) keeps an append of 1,000 records to a
//              few dozen index writes instead of thousands.
// default CF:  metadata, keys below.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event_log.h"
#include "core/record.h"

namespace callledger::store {

inline constexpr char kRecordsFamily[] = "records";
inline constexpr char kIndexFamily[] = "index";

inline constexpr char kMetaSchemaVersion[] = "schema_version";
inline constexpr char kMetaNode[] = "node";
inline constexpr char kMetaHead[] = "head";  // seq (8 bytes BE) + hash (32 bytes)
inline constexpr char kMetaFormat[] = "format";
inline constexpr char kFormatName[] = "call-ledger/1";

// Longest id the index takes; longer ids (only in broken frames) are not indexed.
inline constexpr std::size_t kMaxIndexedIdBytes = 256;

std::string EncodeSeqKey(Seq seq);
// Returns false if `key` is not an 8-byte seq key.
bool DecodeSeqKey(std::string_view key, Seq* seq);

// True if `id` can be indexed (non-empty, not too long, no NUL byte).
bool IndexableId(std::string_view id);
// The prefix shared by every index key of (kind, id).
std::string IndexPrefix(IndexKind kind, std::string_view id);
std::string IndexKey(IndexKind kind, std::string_view id, Seq first);

void AppendSeqList(const std::vector<Seq>& seqs, std::string* out);
// Appends the seqs of one index value to *out; false if the value is damaged.
bool DecodeSeqList(std::string_view value, std::vector<Seq>* out);

std::string EncodeHead(const LedgerHead& head);
bool DecodeHead(std::string_view value, LedgerHead* head);

// Collects, for one batch of records, the seqs per (index kind, id).
class IndexBatch {
 public:
  void Add(IndexKind kind, std::string_view id, Seq seq);
  void AddRecord(const RecordDraft& draft, Seq seq);
  // (key, value) pairs ready to write; deterministic order.
  std::vector<std::pair<std::string, std::string>> Finish() const;
  void Clear() {
    entries_.clear();
    positions_.clear();
  }

 private:
  struct Entry {
    std::string prefix;
    std::vector<Seq> seqs;
  };
  std::vector<Entry> entries_;                              // in first-seen order
  std::unordered_map<std::string, std::size_t> positions_;  // prefix -> entries_ index
  std::string scratch_;
};

}  // namespace callledger::store
