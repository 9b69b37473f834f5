#include "copy_text.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace callledger::bench {
namespace {

// Writes `value` as exactly `width` decimal digits.
void AppendDigits(std::uint64_t value, int width, std::string* out) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buf, static_cast<std::size_t>(width));
}

void AppendNumber(std::int64_t value, std::string* out) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  const bool negative = value < 0;
  // Via unsigned, so the most negative value has a magnitude too.
  std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  do {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) *--p = '-';
  out->append(p, static_cast<std::size_t>(end - p));
}

// COPY text escapes: the column separator, line ends and the escape itself.
void AppendEscaped(std::string_view s, std::string* out) {
  std::size_t plain = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char* escape = c == '\\'   ? "\\\\"
                         : c == '\t' ? "\\t"
                         : c == '\n' ? "\\n"
                         : c == '\r' ? "\\r"
                                     : nullptr;
    if (escape == nullptr) continue;
    out->append(s.data() + plain, i - plain);
    out->append(escape, 2);
    plain = i + 1;
  }
  out->append(s.data() + plain, s.size() - plain);
}

class LineWriter {
 public:
  explicit LineWriter(std::string* out) : out_(out) {}
  ~LineWriter() { out_->push_back('\n'); }

  void Text(std::string_view s) {
    Separate();
    AppendEscaped(s, out_);
  }
  void OptionalText(std::string_view s) {  // empty = NULL
    if (s.empty()) return Null();
    Text(s);
  }
  // UTC microseconds (0 = NULL; in range, CheckRow) as
  // "YYYY-MM-DD HH:MM:SS.ffffff+00".
  void Time(std::int64_t us) {
    if (us == 0) return Null();
    using namespace std::chrono;
    const sys_time<microseconds> t{microseconds{us}};
    const sys_days day = floor<days>(t);
    const year_month_day ymd{day};
    const auto in_day = static_cast<std::uint64_t>((t - day).count());
    const std::uint64_t seconds = in_day / 1'000'000;
    Separate();
    AppendDigits(static_cast<std::uint64_t>(static_cast<int>(ymd.year())), 4, out_);
    out_->push_back('-');
    AppendDigits(static_cast<unsigned>(ymd.month()), 2, out_);
    out_->push_back('-');
    AppendDigits(static_cast<unsigned>(ymd.day()), 2, out_);
    out_->push_back(' ');
    AppendDigits(seconds / 3600, 2, out_);
    out_->push_back(':');
    AppendDigits(seconds / 60 % 60, 2, out_);
    out_->push_back(':');
    AppendDigits(seconds % 60, 2, out_);
    out_->push_back('.');
    AppendDigits(in_day % 1'000'000, 6, out_);
    out_->append("+00");
  }
  template <typename T>
  void Number(const std::optional<T>& v) {
    if (!v) return Null();
    Number(static_cast<std::int64_t>(*v));
  }
  void Number(std::int64_t v) {
    Separate();
    AppendNumber(v, out_);
  }
  void Bool(bool b) {
    Separate();
    out_->push_back(b ? 't' : 'f');
  }

 private:
  void Separate() {
    if (!first_) out_->push_back('\t');
    first_ = false;
  }
  void Null() {
    Separate();
    out_->append("\\N");
  }

  std::string* out_;
  bool first_ = true;
};

}  // namespace

void AppendCopyLine(const CallRow& r, std::string* out) {
  // In kColumns order.
  LineWriter line(out);
  line.Text(r.call_id);
  line.OptionalText(r.direction);
  line.OptionalText(r.from_number);
  line.OptionalText(r.to_number);
  line.Time(r.start_us);
  line.Time(r.end_us);
  line.Number(r.duration_s);
  line.Text(CallStatusName(r.status));
  line.OptionalText(r.recording_path);
  line.Text(r.channel_id);
  line.Text(r.node);
  line.OptionalText(r.caller_name);
  line.Time(r.answer_us);
  line.Number(r.ring_s);
  line.Number(r.talk_s);
  line.Bool(r.answered);
  line.OptionalText(r.disposition);
  line.Number(r.hangup_cause);
  line.OptionalText(r.hangup_cause_txt);
  line.Bool(r.end_estimated);
  line.Bool(r.args_ok);
  line.Number(static_cast<std::int64_t>(r.first_seq.value));  // <= kMaxSeq (CheckRow)
  line.Number(static_cast<std::int64_t>(r.last_seq.value));
  line.Number(static_cast<std::int64_t>(r.projector_version));
  line.Text(EvidenceName(r.evidence));
  line.OptionalText(EndReasonName(r.end_reason));  // kNone = NULL
}

}  // namespace callledger::bench
