// The ledger record as the rest of the program sees it, independent of how it
// is encoded on disk (see record/record_codec.h for that).
//
// RecordDraft is what a writer hands to EventLog::Append: everything but the
// seq and the hash chain, which the log assigns. Record is a decoded stored
// record. Both are plain values.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callledger {

// A ledger sequence number: dense from 1; 0 means "none yet".
struct Seq {
  std::uint64_t value = 0;
  auto operator<=>(const Seq&) const = default;
  Seq Next() const { return Seq{value + 1}; }
};

// Inclusive range of seqs; empty when last < first.
struct SeqRange {
  Seq first;
  Seq last;
  std::uint64_t size() const {
    return last.value >= first.value ? last.value - first.value + 1 : 0;
  }
};

using Sha256Digest = std::array<std::uint8_t, 32>;

enum class RecordKind : std::uint8_t {
  kUnknown = 0,
  kAriEvent = 1,
  kGap = 2,
  kReconcile = 3,
  kMalformed = 4,
  kNote = 5,
  kCel = 6,  // schema version 2
};

// "ari_event", "gap", ...; the names auditors type and read.
std::string_view RecordKindName(RecordKind kind);
std::optional<RecordKind> RecordKindFromName(std::string_view name);

struct RecordDraft {
  RecordKind kind = RecordKind::kUnknown;
  std::int64_t received_at_us = 0;
  std::string asterisk_id;
  std::string application;
  std::string event_type;
  std::int64_t event_time_us = 0;  // 0 when the frame had no usable timestamp
  std::vector<std::string> channel_ids;
  std::vector<std::string> bridge_ids;
  std::vector<std::string> call_ids;
  std::string payload;             // exact bytes (possibly truncated)
  std::uint64_t payload_size = 0;  // original size if truncated, else 0
  std::string reason;
};

struct Record {
  std::uint16_t version = 0;
  Seq seq;
  RecordKind kind = RecordKind::kUnknown;
  std::int64_t received_at_us = 0;
  std::string node;
  std::string asterisk_id;
  std::string application;
  std::string event_type;
  std::int64_t event_time_us = 0;
  std::vector<std::string> channel_ids;
  std::vector<std::string> bridge_ids;
  std::vector<std::string> call_ids;
  std::string payload;
  std::uint64_t payload_size = 0;
  std::string reason;
  Sha256Digest prev_hash{};
  Sha256Digest hash{};

  bool truncated() const { return payload_size != 0 && payload_size != payload.size(); }
};

}  // namespace callledger
