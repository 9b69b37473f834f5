#include "ari-sim/restamp.h"

#include <algorithm>
#include <cstdio>
#include <initializer_list>

#include "core/utc_time.h"

namespace callledger::arisim {
namespace {

constexpr std::int64_t kMsUs = 1000;
constexpr std::int64_t kSecondUs = 1'000'000;
// `2026-12-07T16:48:02.598+0500`: the local time ends where the offset begins.
constexpr std::size_t kAriTimeLength = 28;
constexpr std::size_t kAriOffsetAt = 23;

std::int64_t FloorMs(std::int64_t us) {
  const std::int64_t q = us / kMsUs;
  return (us % kMsUs < 0 ? q - 1 : q) * kMsUs;
}

bool IsDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Rewrites the string value of every member named in `keys` ("key":"value",
// compact JSON as Asterisk and cel_custom write it) with `shift`; values it
// gives nothing for stay.
template <typename Shift>
std::string RestampMembers(std::string_view text, std::initializer_list<std::string_view> keys,
                           Shift shift) {
  struct Edit {
    std::size_t begin;
    std::size_t end;
    std::string value;
  };
  std::vector<Edit> edits;
  for (const std::string_view key : keys) {
    const std::string pattern = "\"" + std::string(key) + "\":\"";
    for (std::size_t at = text.find(pattern); at != std::string_view::npos;
         at = text.find(pattern, at + 1)) {
      // A member begins an object or follows a comma; anything else is the
      // text inside a string.
      if (at == 0 || (text[at - 1] != '{' && text[at - 1] != ',')) continue;
      const std::size_t begin = at + pattern.size();
      const std::size_t end = text.find('"', begin);
      if (end == std::string_view::npos) break;
      if (auto moved = shift(text.substr(begin, end - begin))) {
        edits.push_back({begin, end, std::move(*moved)});
      }
    }
  }
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(text.size());
  std::size_t done = 0;
  for (const Edit& e : edits) {
    out.append(text.substr(done, e.begin - done));
    out.append(e.value);
    done = e.end;
  }
  out.append(text.substr(done));
  return out;
}

}  // namespace

std::optional<std::string> ShiftAriTime(std::string_view text, std::int64_t shift_us) {
  if (text.size() != kAriTimeLength || text[19] != '.' ||
      (text[kAriOffsetAt] != '+' && text[kAriOffsetAt] != '-')) {
    return std::nullopt;
  }
  if (!ParseIsoTimestamp(text)) return std::nullopt;
  // The local time read as if it were UTC: moving it moves the instant by
  // the same amount, whatever the offset.
  const std::optional<std::int64_t> local =
      ParseIsoTimestamp(std::string(text.substr(0, kAriOffsetAt)) + "Z");
  if (!local) return std::nullopt;
  const std::string moved = FormatUtcMillis(*local + shift_us);
  if (moved.size() != kAriOffsetAt + 1) return std::nullopt;  // a year past 9999
  return moved.substr(0, kAriOffsetAt) + std::string(text.substr(kAriOffsetAt));
}

std::optional<std::string> ShiftCelTime(std::string_view text, std::int64_t shift_us) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (!IsDigits(whole) || whole.size() > 11 || dot == std::string_view::npos ||
      !IsDigits(fraction) || fraction.size() > 6) {
    return std::nullopt;
  }
  std::int64_t us = 0;
  for (const char c : whole) us = us * 10 + (c - '0');
  us *= kSecondUs;
  std::int64_t micros = 0;
  for (std::size_t i = 0; i < 6; ++i)
    micros = micros * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  us += micros + shift_us;
  if (us < 0) return std::nullopt;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld.%06lld", static_cast<long long>(us / kSecondUs),
                static_cast<long long>(us % kSecondUs));
  return std::string(buffer);
}

std::string RestampFrame(std::string_view frame, std::int64_t shift_us) {
  return RestampMembers(frame, {"timestamp", "creationtime"},
                        [&](std::string_view v) { return ShiftAriTime(v, shift_us); });
}

std::string RestampCelLine(std::string_view line, std::int64_t shift_us) {
  return RestampMembers(line, {"eventtime"},
                        [&](std::string_view v) { return ShiftCelTime(v, shift_us); });
}

std::vector<std::int64_t> CaptureShifts(const std::vector<StreamFrame>& frames,
                                        const std::vector<std::chrono::microseconds>& offsets,
                                        std::int64_t start_wall_us) {
  std::size_t captures = 0;
  for (const StreamFrame& f : frames) captures = std::max(captures, f.file_index + 1);
  std::vector<std::optional<std::int64_t>> found(captures);
  for (std::size_t i = 0; i < frames.size() && i < offsets.size(); ++i) {
    const StreamFrame& f = frames[i];
    if (!f.time_us || found[f.file_index]) continue;
    found[f.file_index] = FloorMs(start_wall_us + offsets[i].count() - *f.time_us);
  }
  std::vector<std::int64_t> shifts;
  std::int64_t previous = 0;
  for (const auto& s : found) {
    previous = s.value_or(previous);
    shifts.push_back(previous);
  }
  return shifts;
}

}  // namespace callledger::arisim
