// EventLog: the port through which everything reads and writes the ledger.
//
// Contract (both the RocksDB log and the in-memory twin pass the same tests,
// tests/store/event_log_contract_test.cc):
// - Append assigns dense seqs from Head().seq + 1, chains each record to the
//   previous hash, and makes the whole batch visible at once or not at all.
//   One writer at a time: Append is not to be called concurrently with
//   itself. Readers (every const method) may run concurrently with Append and
//   with each other; they see a prefix of the log.
// - After Append returns, the batch survives a crash of the process. It
//   survives a power cut once Sync() has returned, or at most
//   `sync_interval_ms` later in the RocksDB log (group commit).
// - Encoded bytes are the stored record exactly (record/record_codec.h), so
//   verification can recompute hashes over what is really on disk.
// - Errors: kDataLoss when stored bytes are missing or damaged,
//   kUnavailable when the storage refuses I/O, kInvalidInput for a bad draft.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.h"
#include "core/status.h"

namespace callledger {

struct LedgerHead {
  Seq seq;              // last appended seq; 0 when empty
  Sha256Digest hash{};  // its hash; zeros when empty
};

// Which secondary index to look an id up in.
enum class IndexKind : std::uint8_t {
  kChannel = 'c',  // records mentioning a channel id
  kBridge = 'b',   // records mentioning a bridge id
  kCall = 'k',     // records whose Stasis arguments name this call / id
};

struct LedgerInfo {
  std::string node;
  std::uint16_t schema_version = 0;  // highest schema version that wrote it
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  virtual LedgerInfo Info() const = 0;
  virtual LedgerHead Head() const = 0;

  // Appends the drafts as consecutive records; returns their seqs.
  virtual Result<SeqRange> Append(std::span<const RecordDraft> drafts) = 0;

  // Forces everything appended so far to stable storage.
  virtual Status Sync() = 0;

  // The stored bytes of one record; kNotFound if seq is not in the log.
  virtual Result<std::string> ReadEncoded(Seq seq) const = 0;

  // Visits stored records with keys in [from, to] in key order, passing the
  // key as stored (so a missing key shows as a jump). The visitor returns
  // false to stop early.
  using EncodedVisitor = std::function<bool(Seq key, std::string_view bytes)>;
  virtual Status ScanEncoded(Seq from, Seq to, const EncodedVisitor& visit) const = 0;

  // Seqs of the records an index lists for `id`, ascending.
  virtual Result<std::vector<Seq>> Lookup(IndexKind index, std::string_view id) const = 0;

  // Bytes the log takes on disk (approximate; 0 for the in-memory twin).
  virtual std::uint64_t SizeOnDisk() const = 0;
};

}  // namespace callledger
