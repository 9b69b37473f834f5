#include "store/index_keys.h"

#include <algorithm>
#include <cstring>

namespace callledger::store {
namespace {

void PutBigEndian64(std::uint64_t v, std::string* out) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

std::uint64_t GetBigEndian64(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(in[i]);
  return v;
}

void PutVarint(std::uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, std::uint64_t* v) {
  std::uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    const auto byte = static_cast<std::uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string EncodeSeqKey(Seq seq) {
  std::string key;
  key.reserve(8);
  PutBigEndian64(seq.value, &key);
  return key;
}

bool DecodeSeqKey(std::string_view key, Seq* seq) {
  if (key.size() != 8) return false;
  seq->value = GetBigEndian64(key);
  return true;
}

bool IndexableId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIndexedIdBytes && id.find('\0') == std::string_view::npos;
}

std::string IndexPrefix(IndexKind kind, std::string_view id) {
  std::string prefix;
  prefix.reserve(id.size() + 2);
  prefix.push_back(static_cast<char>(kind));
  prefix.append(id);
  prefix.push_back('\0');
  return prefix;
}

std::string IndexKey(IndexKind kind, std::string_view id, Seq first) {
  std::string key = IndexPrefix(kind, id);
  PutBigEndian64(first.value, &key);
  return key;
}

void AppendSeqList(const std::vector<Seq>& seqs, std::string* out) {
  std::uint64_t prev = 0;
  for (Seq s : seqs) {
    PutVarint(s.value - prev, out);
    prev = s.value;
  }
}

bool DecodeSeqList(std::string_view value, std::vector<Seq>* out) {
  std::uint64_t prev = 0;
  while (!value.empty()) {
    std::uint64_t delta = 0;
    if (!GetVarint(&value, &delta)) return false;
    prev += delta;
    out->push_back(Seq{prev});
  }
  return true;
}

std::string EncodeHead(const LedgerHead& head) {
  std::string out;
  PutBigEndian64(head.seq.value, &out);
  out.append(reinterpret_cast<const char*>(head.hash.data()), head.hash.size());
  return out;
}

bool DecodeHead(std::string_view value, LedgerHead* head) {
  if (value.size() != 8 + head->hash.size()) return false;
  head->seq = Seq{GetBigEndian64(value)};
  std::memcpy(head->hash.data(), value.data() + 8, head->hash.size());
  return true;
}

void IndexBatch::Add(IndexKind kind, std::string_view id, Seq seq) {
  if (!IndexableId(id)) return;
  scratch_.clear();
  scratch_.push_back(static_cast<char>(kind));
  scratch_.append(id);
  scratch_.push_back('\0');
  auto it = positions_.find(scratch_);
  if (it == positions_.end()) {
    positions_.emplace(scratch_, entries_.size());
    entries_.push_back(Entry{scratch_, {seq}});
    return;
  }
  auto& seqs = entries_[it->second].seqs;
  if (seqs.back() != seq) seqs.push_back(seq);
}

void IndexBatch::AddRecord(const RecordDraft& draft, Seq seq) {
  for (const auto& id : draft.channel_ids) Add(IndexKind::kChannel, id, seq);
  for (const auto& id : draft.bridge_ids) Add(IndexKind::kBridge, id, seq);
  for (const auto& id : draft.call_ids) Add(IndexKind::kCall, id, seq);
}

std::vector<std::pair<std::string, std::string>> IndexBatch::Finish() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) {
    std::string key = e.prefix;
    PutBigEndian64(e.seqs.front().value, &key);
    std::string value;
    AppendSeqList(e.seqs, &value);
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace callledger::store
