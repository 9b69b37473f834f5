#include "ari/asterisk_info.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/utc_time.h"

namespace callledger::ari {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxFractionDigits = 6;
constexpr std::string_view kWhitespace = " \t\r\n";

// Where the offset of an ISO 8601 date-time begins: the first '+', '-' or
// 'Z' after the 'T' (the date's own '-' come before it).
std::size_t ZoneAt(std::string_view text) {
  const std::size_t t = text.find_first_of("Tt");
  if (t == std::string_view::npos) return std::string_view::npos;
  return text.find_first_of("+-Zz", t);
}

}  // namespace

Result<std::string> FormatTimeLike(std::int64_t utc_us, std::string_view like) {
  const std::optional<std::int64_t> like_utc = ParseIsoTimestamp(like);
  const std::size_t zone_at = ZoneAt(like);
  if (!like_utc || zone_at == std::string_view::npos) {
    return InvalidInput("\"" + std::string(like) + "\" is not a date-time with an offset");
  }
  // The offset is what the local digits are ahead of UTC.
  const std::string local_as_utc = std::string(like.substr(0, zone_at)) + "Z";
  const std::optional<std::int64_t> local = ParseIsoTimestamp(local_as_utc);
  if (!local) return InvalidInput("cannot read the local time of \"" + std::string(like) + "\"");
  const std::int64_t offset_us = *local - *like_utc;

  const std::size_t dot = like.substr(0, zone_at).find('.');
  const std::size_t digits =
      dot == std::string_view::npos ? 0 : std::min(zone_at - dot - 1, kMaxFractionDigits);
  // "YYYY-MM-DDTHH:MM:SS.ffffffZ" of the local time.
  const std::string shown = FormatUtcMicros(utc_us + offset_us);
  const std::size_t shown_dot = shown.find('.');
  std::string out = shown.substr(0, shown_dot);
  if (digits > 0) out += shown.substr(shown_dot, digits + 1);
  out += like.substr(zone_at);
  return out;
}

Result<std::string> RestartedAsteriskInfo(std::string_view recorded, std::int64_t startup_us) {
  const std::size_t begin = recorded.find_first_not_of(kWhitespace);
  const std::size_t end = recorded.find_last_not_of(kWhitespace);
  if (begin == std::string_view::npos) return InvalidInput("the Asterisk info is empty");
  json::error_code ec;
  json::value info = json::parse(recorded.substr(begin, end + 1 - begin), ec);
  if (ec || !info.is_object()) return InvalidInput("the Asterisk info is not a JSON object");
  json::value* status = info.get_object().if_contains("status");
  json::value* startup = status != nullptr && status->is_object()
                             ? status->get_object().if_contains("startup_time")
                             : nullptr;
  if (startup == nullptr || !startup->is_string()) {
    return InvalidInput("the Asterisk info has no status.startup_time to restart from");
  }
  ASSIGN_OR_RETURN(const std::string started,
                   FormatTimeLike(startup_us, std::string_view(startup->get_string())));
  *startup = started;
  if (json::value* reload = status->get_object().if_contains("last_reload_time")) {
    *reload = started;
  }
  return std::string(recorded.substr(0, begin)) + json::serialize(info) +
         std::string(recorded.substr(end + 1));
}

}  // namespace callledger::ari
