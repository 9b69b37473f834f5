#include "core/utc_time.h"

#include <cstddef>
#include <cstdint>

namespace callledger {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil). Pure integer arithmetic: no time zone database, no
// locale, valid for every year we can parse.
constexpr std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// The inverse of DaysFromCivil (Hinnant's civil_from_days).
constexpr CivilDate CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;                             // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                                // [1, 12]
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return {y, m, d};
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11017);
static_assert(DaysFromCivil(1969, 12, 31) == -1);
static_assert(CivilFromDays(-1).year == 1969 && CivilFromDays(-1).day == 31);

constexpr bool IsLeapYear(unsigned y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr unsigned DaysInMonth(unsigned y, unsigned m) {
  constexpr unsigned char kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 10^(6 - digits): scales a fraction of `digits` digits to microseconds.
constexpr std::int64_t kFractionScale[] = {1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};

// Reads fixed-position digits without a branch per byte: a non-digit sets
// `bad`, checked once at the end. Timestamps are parsed twice per frame, so
// this is on the hot path.
class DigitReader {
 public:
  explicit DigitReader(const char* p) : p_(p) {}
  unsigned Digit(std::size_t i) {
    const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(p_[i])) - '0';
    bad_ |= v > 9;
    return v;
  }
  unsigned Two(std::size_t i) { return Digit(i) * 10 + Digit(i + 1); }
  bool bad() const { return bad_; }

 private:
  const char* p_;
  bool bad_ = false;
};

// Writes `value` as exactly `width` digits (it must fit); returns the end.
char* WriteDigits(char* p, std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

// Shared by both formatters: `fraction_digits` is 3 (millis) or 6 (micros).
std::string FormatUtc(std::int64_t utc_us, int fraction_digits) {
  // Floor division: -1 µs is 1969-12-31T23:59:59.999999Z, not 1970-01-01.
  std::int64_t seconds = utc_us / kMicrosPerSecond;
  std::int64_t micros = utc_us % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);

  // Longest output, at INT64_MIN: "-290308-12-21T19:59:05.224192Z" (30 chars).
  char buf[40];
  char* p = buf;
  std::int64_t year = date.year;
  if (year < 0) {
    *p++ = '-';
    year = -year;
  }
  int year_width = 4;
  for (std::int64_t y = year; y >= 10000; y /= 10) ++year_width;
  p = WriteDigits(p, static_cast<std::uint64_t>(year), year_width);
  *p++ = '-';
  p = WriteDigits(p, date.month, 2);
  *p++ = '-';
  p = WriteDigits(p, date.day, 2);
  *p++ = 'T';
  p = WriteDigits(p, static_cast<std::uint64_t>(second_of_day / 3600), 2);
  *p++ = ':';
  p = WriteDigits(p, static_cast<std::uint64_t>(second_of_day / 60 % 60), 2);
  *p++ = ':';
  p = WriteDigits(p, static_cast<std::uint64_t>(second_of_day % 60), 2);
  *p++ = '.';
  if (fraction_digits == 3) {
    p = WriteDigits(p, static_cast<std::uint64_t>(micros / 1000), 3);
  } else {
    p = WriteDigits(p, static_cast<std::uint64_t>(micros), 6);
  }
  *p++ = 'Z';
  return std::string(buf, static_cast<std::size_t>(p - buf));
}

}  // namespace

std::optional<std::int64_t> ParseIsoTimestamp(std::string_view text) {
  // `YYYY-MM-DDTHH:MM:SS` has fixed positions: read them directly. The
  // shortest valid text adds a `Z`.
  constexpr std::size_t kDateTimeLength = 19;
  const std::size_t size = text.size();
  if (size < kDateTimeLength + 1) [[unlikely]]
    return std::nullopt;
  const char* p = text.data();
  DigitReader digits(p);
  const unsigned year = digits.Two(0) * 100 + digits.Two(2);
  const unsigned month = digits.Two(5);
  const unsigned day = digits.Two(8);
  const unsigned hour = digits.Two(11);
  const unsigned minute = digits.Two(14);
  const unsigned second = digits.Two(17);
  // Leap seconds (:60) are rejected: Asterisk never writes them, and
  // accepting one would need a policy for where the extra second goes.
  if (digits.bad() || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' ||
      month - 1 > 11 || day == 0 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) [[unlikely]] {
    return std::nullopt;
  }

  // Valid timestamps are the norm; without the [[unlikely]] hints GCC 12
  // guesses this path cold and divides by constants with `div` (3x slower).
  std::size_t pos = kDateTimeLength;
  std::int64_t micros = 0;
  if (p[pos] == '.') {
    // One or more digits; the first six count and the rest are truncated
    // (never rounded: rounding could carry into the next second).
    const std::size_t start = ++pos;
    const std::size_t end = size - start > 6 ? start + 6 : size;
    while (pos < end && IsDigit(p[pos])) micros = micros * 10 + (p[pos++] - '0');
    if (pos == start) [[unlikely]]
      return std::nullopt;
    micros *= kFractionScale[pos - start];
    while (pos < size && IsDigit(p[pos])) ++pos;
  }

  // The offset is mandatory: a local time without one names no instant.
  if (pos == size) [[unlikely]]
    return std::nullopt;
  std::int64_t offset_seconds = 0;
  const char zone = p[pos];
  if (zone == 'Z') {
    if (pos + 1 != size) [[unlikely]]
      return std::nullopt;
  } else if (zone == '+' || zone == '-') {
    // `+0500` (what Asterisk writes) or `+05:00`; both are ISO 8601.
    const std::size_t rest = size - pos - 1;
    const bool colon = rest == 5 && p[pos + 3] == ':';
    if (rest != 4 && !colon) [[unlikely]]
      return std::nullopt;
    DigitReader offset(p + pos + 1);
    const unsigned offset_hours = offset.Two(0);
    const unsigned offset_minutes = offset.Two(colon ? 3 : 2);
    if (offset.bad() || offset_hours > 23 || offset_minutes > 59) [[unlikely]]
      return std::nullopt;
    offset_seconds = static_cast<std::int64_t>(offset_hours * 3600 + offset_minutes * 60);
    if (zone == '-') offset_seconds = -offset_seconds;
  } else [[unlikely]] {
    return std::nullopt;
  }

  const std::int64_t local_seconds = DaysFromCivil(year, month, day) * kSecondsPerDay +
                                     static_cast<std::int64_t>(hour * 3600 + minute * 60 + second);
  // Local time = UTC + offset, so UTC = local - offset.
  return (local_seconds - offset_seconds) * kMicrosPerSecond + micros;
}

std::string FormatUtcMillis(std::int64_t utc_us) { return FormatUtc(utc_us, 3); }

std::string FormatUtcMicros(std::int64_t utc_us) { return FormatUtc(utc_us, 6); }

}  // namespace callledger
