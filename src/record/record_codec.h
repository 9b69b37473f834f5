// The encoded form of a ledger record (schemas/record.fbs) and its hash.
//
// A stored record is one FlatBuffers `Record` buffer. Its `hash` is the
// SHA-256 of the buffer with the 32 bytes of the `hash` field set to zero;
// `prev_hash` is inside the buffer, so each hash covers the previous one and
// the chain covers the whole log. Verification hashes the stored bytes as they
// are and never re-encodes (an older schema's bytes verify forever).
//
// RecordEncoder is not thread-safe (it reuses a builder); one per writer.
// The free functions are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/record.h"
#include "core/status.h"

namespace callledger {

// The schema version this build writes. See schemas/README.md (its history
// table says what each version added; 2: the record kind `cel`).
inline constexpr std::uint16_t kRecordSchemaVersion = 2;

class RecordEncoder {
 public:
  RecordEncoder();
  ~RecordEncoder();
  RecordEncoder(const RecordEncoder&) = delete;
  RecordEncoder& operator=(const RecordEncoder&) = delete;

  // Encodes `draft` as record `seq` chained to `prev_hash`; the returned bytes
  // already hold their hash, which is also written to `*hash`.
  std::string Encode(const RecordDraft& draft, Seq seq, std::string_view node,
                     const Sha256Digest& prev_hash, Sha256Digest* hash);

 private:
  struct Impl;
  Impl* impl_;
};

// Decodes stored bytes, checking the FlatBuffers structure (never trusting
// offsets in damaged bytes). kDataLoss when the bytes are not a record.
Result<Record> DecodeRecord(std::string_view bytes);

// The fields the projector reads, as views into the stored bytes (valid as
// long as those bytes are): no copies, for folding millions of records.
struct RecordView {
  Seq seq;
  RecordKind kind = RecordKind::kUnknown;
  std::string_view event_type;
  std::int64_t event_time_us = 0;
  std::string_view payload;
};
Result<RecordView> DecodeRecordView(std::string_view bytes);

// Like DecodeRecord but only the fields verification needs, without copying
// the payload, plus the hash recomputed over the bytes: a record is intact
// when computed_hash == hash.
struct RecordChainView {
  std::uint16_t version = 0;
  Seq seq;
  RecordKind kind = RecordKind::kUnknown;
  Sha256Digest prev_hash{};
  Sha256Digest hash{};
  Sha256Digest computed_hash{};
};
Result<RecordChainView> DecodeChainView(std::string_view bytes);

// SHA-256 of `bytes` with the hash field zeroed: what `hash` must equal.
// kDataLoss when the bytes are not a structurally valid record.
Result<Sha256Digest> ComputeRecordHash(std::string_view bytes);

}  // namespace callledger
