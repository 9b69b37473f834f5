#include "pg/pg_copy_binary.h"

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/agent_attempts.h"
#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {

// PostgreSQL's timestamps count microseconds from 2000-01-01 00:00:00 UTC.
constexpr std::int64_t kPostgresEpochUs = 946'684'800'000'000;

template <typename T>
void AppendBigEndian(T value, std::string* out) {
  auto u = static_cast<std::make_unsigned_t<T>>(value);
  char buf[sizeof(T)];
  for (int i = static_cast<int>(sizeof(T)) - 1; i >= 0; --i) {
    buf[i] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  out->append(buf, sizeof(T));
}

// One tuple's fields: each a 32-bit length (-1 = NULL) and the bytes.
class TupleWriter {
 public:
  explicit TupleWriter(std::string* out) : out_(out) {
    AppendBigEndian(static_cast<std::int16_t>(kColumns.size()), out_);
  }

  void Text(std::string_view s) {
    AppendBigEndian(static_cast<std::int32_t>(s.size()), out_);
    out_->append(s);
  }
  void OptionalText(std::string_view s) {  // empty = NULL
    if (s.empty()) return Null();
    Text(s);
  }
  // jsonb's binary form: a version byte (1), then the JSON text.
  void Jsonb(std::string_view json) {
    AppendBigEndian(static_cast<std::int32_t>(json.size() + 1), out_);
    out_->push_back('\1');
    out_->append(json);
  }
  void Time(std::int64_t unix_us) {  // 0 = NULL
    if (unix_us == 0) return Null();
    Int64(unix_us - kPostgresEpochUs);
  }
  template <typename T>
  void Int32(const std::optional<T>& v) {
    if (!v) return Null();
    Int32(static_cast<std::int32_t>(*v));  // in range: CheckRow
  }
  void Int32(std::int32_t v) {
    AppendBigEndian(std::int32_t{4}, out_);
    AppendBigEndian(v, out_);
  }
  void Int64(std::int64_t v) {
    AppendBigEndian(std::int32_t{8}, out_);
    AppendBigEndian(v, out_);
  }
  void Bool(bool b) {
    AppendBigEndian(std::int32_t{1}, out_);
    out_->push_back(b ? '\1' : '\0');
  }

 private:
  void Null() { AppendBigEndian(std::int32_t{-1}, out_); }

  std::string* out_;
};

}  // namespace

void AppendCopyBinaryHeader(std::string* out) {
  // Signature, flags (no OIDs), header extension length.
  out->append("PGCOPY\n\377\r\n\0", 11);
  AppendBigEndian(std::int32_t{0}, out);
  AppendBigEndian(std::int32_t{0}, out);
}

void AppendCopyBinaryRow(const CallRow& r, std::string* out) {
  // In kColumns order, with call_logs' column types.
  TupleWriter t(out);
  t.Text(r.call_id);
  t.OptionalText(r.direction);
  t.OptionalText(r.from_number);
  t.OptionalText(r.to_number);
  t.Time(r.start_us);
  t.Time(r.end_us);
  t.Int32(r.duration_s);
  t.Text(CallStatusName(r.status));
  t.OptionalText(r.recording_path);
  t.Text(r.channel_id);
  t.Text(r.node);
  t.OptionalText(r.caller_name);
  t.Time(r.answer_us);
  t.Int32(r.ring_s);
  t.Int32(r.talk_s);
  t.Bool(r.answered);
  t.OptionalText(r.disposition);
  t.Int32(r.hangup_cause);
  t.OptionalText(r.hangup_cause_txt);
  t.Bool(r.end_estimated);
  t.Bool(r.args_ok);
  t.Int64(static_cast<std::int64_t>(r.first_seq.value));  // <= kMaxSeq (CheckRow)
  t.Int64(static_cast<std::int64_t>(r.last_seq.value));
  t.Int32(static_cast<std::int32_t>(r.projector_version));
  t.Text(EvidenceName(r.evidence));
  t.OptionalText(EndReasonName(r.end_reason));  // kNone = NULL
  t.OptionalText(r.agent);
  t.Jsonb(AgentsTriedJson(r.agents_tried, TimePrecision::kMicros));
  t.OptionalText(r.transferred_to);
}

void AppendCopyBinaryTrailer(std::string* out) { AppendBigEndian(std::int16_t{-1}, out); }

}  // namespace callledger::pg
