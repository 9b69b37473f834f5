#include "record/record_codec.h"

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "record/sha256.h"
#include "schemas/record_generated.h"

namespace callledger {
namespace {

constexpr Sha256Digest kZeroDigest{};

std::string_view AsView(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->data(), s->size());
}

std::vector<std::string> AsStrings(
    const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (const auto* s : *v) out.emplace_back(AsView(s));
  return out;
}

Sha256Digest AsDigest(const fb::Sha256* d) {
  Sha256Digest out{};
  if (d != nullptr) std::memcpy(out.data(), d->bytes()->data(), out.size());
  return out;
}

// A kind this build knows, or kUnknown for one a newer build appended
// (schemas/README.md rule 2: the record is kept and skipped).
RecordKind KindOf(fb::RecordKind stored) {
  const auto kind = static_cast<std::uint8_t>(stored);
  return kind <= static_cast<std::uint8_t>(RecordKind::kCel) ? static_cast<RecordKind>(kind)
                                                             : RecordKind::kUnknown;
}

// FlatBuffers reads scalars in place, so a buffer must start at an address
// aligned for its widest scalar (8 bytes: seq and the times); reading one
// that does not is undefined behaviour even where the CPU allows it (UBSan:
// "load of misaligned address"). Stored bytes come at any address: RocksDB
// packs the values of a block one after the other. So bytes that do not start
// aligned are decoded from an aligned copy, one buffer per thread, reused.
// What a decoder returns by view points into the caller's bytes (Rebase).
constexpr std::uintptr_t kBufferAlignment = alignof(std::uint64_t);

std::string_view Aligned(std::string_view bytes) {
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % kBufferAlignment == 0) return bytes;
  thread_local std::vector<std::uint64_t> words;
  words.resize(bytes.size() / sizeof(std::uint64_t) + 1);
  std::memcpy(words.data(), bytes.data(), bytes.size());
  return std::string_view(reinterpret_cast<const char*>(words.data()), bytes.size());
}

// `view` (inside `aligned`, what Aligned(bytes) returned) as the same bytes
// of `bytes`.
std::string_view Rebase(std::string_view view, std::string_view aligned, std::string_view bytes) {
  if (view.empty()) return std::string_view();
  return bytes.substr(static_cast<std::size_t>(view.data() - aligned.data()), view.size());
}

// Returns the verified root, or nullptr when the bytes are not a record.
// `bytes` must start aligned (Aligned).
const fb::Record* VerifiedRoot(std::string_view bytes) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!fb::VerifyRecordBuffer(verifier)) return nullptr;
  return fb::GetRecord(data);
}

// SHA-256 of `bytes` with the 32 bytes at `hash_offset` read as zeros.
Sha256Digest HashWithZeroedField(std::string_view bytes, std::size_t hash_offset) {
  thread_local Sha256Hasher hasher;
  hasher.Update(bytes.substr(0, hash_offset));
  hasher.Update(
      std::string_view(reinterpret_cast<const char*>(kZeroDigest.data()), kZeroDigest.size()));
  hasher.Update(bytes.substr(hash_offset + kZeroDigest.size()));
  return hasher.Finish();
}

}  // namespace

struct RecordEncoder::Impl {
  flatbuffers::FlatBufferBuilder builder{2048};
  std::vector<flatbuffers::Offset<flatbuffers::String>> strings;

  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>> StringVector(
      const std::vector<std::string>& items) {
    if (items.empty()) return 0;
    strings.clear();
    for (const auto& s : items) strings.push_back(builder.CreateString(s));
    return builder.CreateVector(strings);
  }
};

RecordEncoder::RecordEncoder() : impl_(new Impl) {}
RecordEncoder::~RecordEncoder() { delete impl_; }

std::string RecordEncoder::Encode(const RecordDraft& draft, Seq seq, std::string_view node,
                                  const Sha256Digest& prev_hash, Sha256Digest* hash) {
  auto& b = impl_->builder;
  b.Clear();
  auto node_off = b.CreateString(node.data(), node.size());
  auto asterisk_off = b.CreateString(draft.asterisk_id);
  auto app_off = b.CreateString(draft.application);
  auto type_off = b.CreateString(draft.event_type);
  auto channels_off = impl_->StringVector(draft.channel_ids);
  auto bridges_off = impl_->StringVector(draft.bridge_ids);
  auto calls_off = impl_->StringVector(draft.call_ids);
  auto payload_off = b.CreateVector(reinterpret_cast<const std::uint8_t*>(draft.payload.data()),
                                    draft.payload.size());
  auto reason_off = draft.reason.empty() ? 0 : b.CreateString(draft.reason);
  const fb::Sha256 prev(flatbuffers::span<const std::uint8_t, 32>(prev_hash.data(), 32));
  const fb::Sha256 zero;

  fb::RecordBuilder rb(b);
  rb.add_seq(seq.value);
  rb.add_received_at_us(draft.received_at_us);
  rb.add_event_time_us(draft.event_time_us);
  rb.add_payload_size(draft.payload_size);
  rb.add_node(node_off);
  rb.add_asterisk_id(asterisk_off);
  rb.add_application(app_off);
  rb.add_event_type(type_off);
  if (!channels_off.IsNull()) rb.add_channel_ids(channels_off);
  if (!bridges_off.IsNull()) rb.add_bridge_ids(bridges_off);
  if (!calls_off.IsNull()) rb.add_call_ids(calls_off);
  rb.add_payload(payload_off);
  if (!reason_off.IsNull()) rb.add_reason(reason_off);
  rb.add_prev_hash(&prev);
  rb.add_hash(&zero);
  rb.add_version(kRecordSchemaVersion);
  rb.add_kind(static_cast<fb::RecordKind>(draft.kind));
  b.Finish(rb.Finish(), fb::RecordIdentifier());

  std::string out(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  auto* root = fb::GetMutableRecord(out.data());
  auto* hash_field = root->mutable_hash();
  const std::size_t offset = reinterpret_cast<const char*>(hash_field) - out.data();
  // The field was written as zeros, so hashing the buffer as is gives the hash.
  Sha256Digest digest = Sha256(out);
  std::memcpy(out.data() + offset, digest.data(), digest.size());
  if (hash != nullptr) *hash = digest;
  return out;
}

Result<Record> DecodeRecord(std::string_view bytes) {
  const fb::Record* root = VerifiedRoot(Aligned(bytes));
  if (root == nullptr) return DataLoss("stored bytes are not a valid ledger record");
  Record r;
  r.version = root->version();
  r.seq = Seq{root->seq()};
  r.kind = KindOf(root->kind());
  r.received_at_us = root->received_at_us();
  r.node = AsView(root->node());
  r.asterisk_id = AsView(root->asterisk_id());
  r.application = AsView(root->application());
  r.event_type = AsView(root->event_type());
  r.event_time_us = root->event_time_us();
  r.channel_ids = AsStrings(root->channel_ids());
  r.bridge_ids = AsStrings(root->bridge_ids());
  r.call_ids = AsStrings(root->call_ids());
  if (root->payload() != nullptr) {
    r.payload.assign(reinterpret_cast<const char*>(root->payload()->data()),
                     root->payload()->size());
  }
  r.payload_size = root->payload_size();
  r.reason = AsView(root->reason());
  r.prev_hash = AsDigest(root->prev_hash());
  r.hash = AsDigest(root->hash());
  return r;
}

Result<RecordView> DecodeRecordView(std::string_view bytes) {
  const std::string_view aligned = Aligned(bytes);
  const fb::Record* root = VerifiedRoot(aligned);
  if (root == nullptr) return DataLoss("stored bytes are not a valid ledger record");
  RecordView v;
  v.seq = Seq{root->seq()};
  v.kind = KindOf(root->kind());
  v.event_type = Rebase(AsView(root->event_type()), aligned, bytes);
  v.event_time_us = root->event_time_us();
  if (root->payload() != nullptr) {
    v.payload = Rebase(std::string_view(reinterpret_cast<const char*>(root->payload()->data()),
                                        root->payload()->size()),
                       aligned, bytes);
  }
  return v;
}

Result<RecordChainView> DecodeChainView(std::string_view stored) {
  const std::string_view bytes = Aligned(stored);
  const fb::Record* root = VerifiedRoot(bytes);
  if (root == nullptr) return DataLoss("stored bytes are not a valid ledger record");
  if (root->hash() == nullptr) return DataLoss("record has no hash field");
  RecordChainView v;
  v.version = root->version();
  v.seq = Seq{root->seq()};
  v.kind = KindOf(root->kind());
  v.prev_hash = AsDigest(root->prev_hash());
  v.hash = AsDigest(root->hash());
  const std::size_t offset = reinterpret_cast<const char*>(root->hash()) - bytes.data();
  v.computed_hash = HashWithZeroedField(bytes, offset);
  return v;
}

Result<Sha256Digest> ComputeRecordHash(std::string_view stored) {
  const std::string_view bytes = Aligned(stored);
  const fb::Record* root = VerifiedRoot(bytes);
  if (root == nullptr) return DataLoss("stored bytes are not a valid ledger record");
  if (root->hash() == nullptr) return DataLoss("record has no hash field");
  const std::size_t offset = reinterpret_cast<const char*>(root->hash()) - bytes.data();
  return HashWithZeroedField(bytes, offset);
}

}  // namespace callledger
