#include "pg/pg_row_codec.h"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>

#include "core/agent_attempts.h"
#include "core/utc_time.h"

namespace callledger::pg {
namespace {

// libpq's messages end in a newline; log lines should not.
std::string Trimmed(const char* what) {
  std::string s(what);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string FormatTimestamp(std::int64_t us) {
  using namespace std::chrono;
  const sys_time<microseconds> t{microseconds{us}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> tod{t - day};
  char buf[48];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld:%02lld.%06lld+00", int(ymd.year()),
      unsigned(ymd.month()), unsigned(ymd.day()), static_cast<long long>(tod.hours().count()),
      static_cast<long long>(tod.minutes().count()), static_cast<long long>(tod.seconds().count()),
      static_cast<long long>(tod.subseconds().count()));
  return buf;
}

std::optional<std::int64_t> ParseTimestamp(const char* text) {
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0, frac = 0;
  int consumed = 0;
  if (std::sscanf(text, "%d-%u-%u %u:%u:%u.%6u%n", &y, &mo, &d, &h, &mi, &s, &frac, &consumed) !=
          7 ||
      text[consumed] != '\0') {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{mo}, day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const std::int64_t day_us = sys_days{ymd}.time_since_epoch().count() * 86'400'000'000LL;
  return day_us + ((h * 60LL + mi) * 60 + s) * 1'000'000 + frac;
}

std::string TimeSql(std::string_view column) {
  return "to_char(" + std::string(column) + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
}

std::string TimeParam(int n) {
  return "('epoch'::timestamptz + $" + std::to_string(n) + "::bigint * interval '1 microsecond')";
}

std::string ColumnList() {
  std::string out;
  for (const char* c : kColumns) out += (out.empty() ? "" : ", ") + std::string(c);
  return out;
}

std::string SelectList(std::string_view prefix) {
  std::string out;
  for (const char* c : kColumns) {
    const std::string_view name(c);
    const std::string column = std::string(prefix) + c;
    const bool is_time = name == "start_time" || name == "end_time" || name == "answer_time";
    out += (out.empty() ? "" : ", ") + (is_time ? TimeSql(column) : column);
  }
  return out;
}

Result<CallRow> ReadRow(const pqxx::row& row, int first) {
  const auto f = [&](int i) { return row[first + i]; };
  const auto text = [&](int i) { return f(i).is_null() ? std::string() : f(i).as<std::string>(); };
  const auto number = [&](int i) {
    return f(i).is_null() ? std::nullopt : std::optional<std::int64_t>(f(i).as<std::int64_t>());
  };
  std::optional<std::string> bad;
  const auto time = [&](int i) -> std::int64_t {
    if (f(i).is_null()) return 0;
    const auto us = ParseTimestamp(f(i).c_str());
    if (!us) bad = f(i).as<std::string>();
    return us.value_or(0);
  };
  CallRow r;
  r.call_id = text(0);
  r.direction = text(1);
  r.from_number = text(2);
  r.to_number = text(3);
  r.start_us = time(4);
  r.end_us = time(5);
  r.duration_s = number(6);
  const std::string status = text(7);
  bool known = false;
  for (CallStatus s : {CallStatus::kRinging, CallStatus::kTalking, CallStatus::kFinished}) {
    if (status == CallStatusName(s)) {
      r.status = s;
      known = true;
    }
  }
  if (!known) return DataLoss("unknown status '" + status + "' in call " + r.call_id);
  r.recording_path = text(8);
  r.channel_id = text(9);
  r.node = text(10);
  r.caller_name = text(11);
  r.answer_us = time(12);
  r.ring_s = number(13);
  r.talk_s = number(14);
  r.answered = f(15).as<bool>();
  r.disposition = text(16);
  if (auto cause = number(17)) r.hangup_cause = static_cast<int>(*cause);
  r.hangup_cause_txt = text(18);
  r.end_estimated = f(19).as<bool>();
  r.args_ok = f(20).as<bool>();
  r.first_seq = Seq{static_cast<std::uint64_t>(f(21).as<std::int64_t>())};
  r.last_seq = Seq{static_cast<std::uint64_t>(f(22).as<std::int64_t>())};
  r.projector_version = f(23).as<int>();
  const std::string evidence = text(24);
  const std::optional<Evidence> e = EvidenceFromName(evidence);
  if (!e) return DataLoss("unknown evidence '" + evidence + "' in call " + r.call_id);
  r.evidence = *e;
  const std::string end_reason = text(25);  // NULL reads as "", kNone
  const std::optional<EndReason> reason = EndReasonFromName(end_reason);
  if (!reason) return DataLoss("unknown end_reason '" + end_reason + "' in call " + r.call_id);
  r.end_reason = *reason;
  r.agent = text(26);
  Result<std::vector<AgentAttempt>> tried = ParseAgentsTried(text(27), r.call_id);
  if (!tried.ok()) return tried.status();
  r.agents_tried = std::move(*tried);
  r.transferred_to = text(28);
  if (bad) return DataLoss("unreadable time '" + *bad + "' in call " + r.call_id);
  return r;
}

Result<std::vector<AgentAttempt>> ParseAgentsTried(std::string_view text,
                                                   const std::string& call_id) {
  const auto bad = [&](std::string_view why) {
    return DataLoss("unreadable agents_tried in call " + call_id + ": " + std::string(why));
  };
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return bad(ec ? ec.message() : "not an array");
  std::vector<AgentAttempt> out;
  for (const boost::json::value& item : v.as_array()) {
    const boost::json::object* o = item.if_object();
    if (o == nullptr) return bad("an element is not an object");
    const auto string_at = [&](std::string_view key) -> const boost::json::string* {
      const boost::json::value* f = o->if_contains(key);
      return f != nullptr ? f->if_string() : nullptr;
    };
    const boost::json::string* endpoint = string_at(agent_keys::kEndpoint);
    const boost::json::string* outcome = string_at(agent_keys::kOutcome);
    const boost::json::string* channel = string_at(agent_keys::kChannelId);
    const boost::json::value* rung = o->if_contains(agent_keys::kRungAt);
    if (endpoint == nullptr || outcome == nullptr || channel == nullptr || rung == nullptr) {
      return bad("an element lacks a key");
    }
    AgentAttempt a;
    a.endpoint = std::string(*endpoint);
    a.channel_id = std::string(*channel);
    const std::optional<LegOutcome> known = LegOutcomeFromName(*outcome);
    if (!known) return bad("unknown outcome '" + std::string(*outcome) + "'");
    a.outcome = *known;
    if (!rung->is_null()) {
      const boost::json::string* at = rung->if_string();
      const std::optional<std::int64_t> us =
          at != nullptr ? ParseIsoTimestamp(*at) : std::optional<std::int64_t>();
      if (!us) return bad("unreadable rung_at");
      a.rung_us = *us;
    }
    out.push_back(std::move(a));
  }
  return out;
}

PgFailure ClassifyCurrentException(std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return {Unavailable(prefix + "connection to PostgreSQL failed: " + Trimmed(e.what())), true};
  } catch (const pqxx::in_doubt_error& e) {
    // The commit may or may not have happened; the checkpoint's
    // compare-and-set makes the retry safe either way.
    return {Unavailable(prefix + "commit outcome unknown: " + Trimmed(e.what())), true};
  } catch (const pqxx::statement_completion_unknown& e) {
    return {Unavailable(prefix + "statement outcome unknown: " + Trimmed(e.what())), true};
  } catch (const pqxx::transaction_rollback& e) {
    return {Aborted(prefix + "concurrent transaction won: " + Trimmed(e.what())), false};
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    const std::string message = prefix + Trimmed(e.what()) + " [SQLSTATE " + state + "]";
    const auto cls = state.substr(0, 2);
    if (cls == "08" || state == "57P01" || state == "57P02" || state == "57P03") {
      return {Unavailable(message), true};
    }
    // Out of resources, lock timeout, statement cancelled (timeout).
    if (cls == "53" || state == "55P03" || state == "57014") return {Unavailable(message), false};
    if (cls == "40" || state == "23505") return {Aborted(message), false};
    // Undefined table: the projector has not created the schema yet.
    if (state == "42P01")
      return {
          Unavailable(message + " (the call log is created on the projector's first connection)"),
          false};
    if (cls == "22" || cls == "23") return {InvalidInput(message), false};
    return {Internal(message), false};
  } catch (const pqxx::usage_error& e) {
    // libpqxx says this for a closed connection, among other things.
    return {Unavailable(prefix + Trimmed(e.what())), true};
  } catch (const std::exception& e) {
    return {Internal(prefix + Trimmed(e.what())), false};
  } catch (...) {
    return {Internal(prefix + "unknown exception"), false};
  }
}

}  // namespace callledger::pg
