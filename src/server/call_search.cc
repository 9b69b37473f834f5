#include "server/call_search.h"

#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>

namespace callledger::server {
namespace {

// Reads a timestamptz column back as exact UTC text with microseconds, as
// PgCallLogStore does (the server must not depend on pg/, so this is copied).
std::string TimeSql(const char* column) {
  return std::string("to_char(") + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
}

// Parses what TimeSql() produces: "YYYY-MM-DD HH:MM:SS.ffffff" in UTC.
// Copied from pg/pg_call_log_store.cc.
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

// UTC microseconds as a timestamptz expression over a bound bigint: exact.
std::string TimeParam(int n) {
  return "('epoch'::timestamptz + $" + std::to_string(n) + "::bigint * interval '1 microsecond')";
}

const std::string& SelectList() {
  static const std::string kList =
      "call_id, direction, from_number, to_number, " + TimeSql("start_time") + ", " +
      TimeSql("end_time") +
      ", duration, status, recording_path, channel_id, node, caller_name, " +
      TimeSql("answer_time") +
      ", ring_seconds, talk_seconds, answered, disposition, hangup_cause, hangup_cause_txt, "
      "end_estimated, args_ok, first_seq, last_seq, projector_version";
  return kList;
}

constexpr const char* kOrder =
    " ORDER BY start_time DESC NULLS LAST, call_id COLLATE \"C\" DESC, node COLLATE \"C\" DESC";

Result<CallRow> ReadRow(const pqxx::row& f) {
  CallRow r;
  const auto text = [&](int i) { return f[i].is_null() ? std::string() : f[i].as<std::string>(); };
  const auto number = [&](int i) {
    return f[i].is_null() ? std::nullopt : std::optional<std::int64_t>(f[i].as<std::int64_t>());
  };
  std::optional<std::string> bad;
  const auto time = [&](int i) -> std::int64_t {
    if (f[i].is_null()) return 0;
    const auto us = ParseTimestamp(f[i].c_str());
    if (!us) bad = f[i].as<std::string>();
    return us.value_or(0);
  };
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
  r.answered = f[15].as<bool>();
  r.disposition = text(16);
  if (auto cause = number(17)) r.hangup_cause = static_cast<int>(*cause);
  r.hangup_cause_txt = text(18);
  r.end_estimated = f[19].as<bool>();
  r.args_ok = f[20].as<bool>();
  r.first_seq = Seq{static_cast<std::uint64_t>(f[21].as<std::int64_t>())};
  r.last_seq = Seq{static_cast<std::uint64_t>(f[22].as<std::int64_t>())};
  r.projector_version = f[23].as<int>();
  if (bad) return DataLoss("unreadable time '" + *bad + "' in call " + r.call_id);
  return r;
}

// Call from a catch block only.
Status TranslateCurrentException(std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return Unavailable(prefix + "connection to PostgreSQL failed: " + e.what());
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    const std::string message = prefix + e.what() + " [SQLSTATE " + state + "]";
    const std::string cls = state.substr(0, 2);
    if (cls == "08" || cls == "53" || cls == "57" || state == "55P03") return Unavailable(message);
    return Internal(message);
  } catch (const pqxx::usage_error& e) {
    // libpqxx says this for a closed connection, among other things.
    return Unavailable(prefix + e.what());
  } catch (const std::exception& e) {
    return Internal(prefix + e.what());
  }
}

// Builds "WHERE ..." with $n placeholders, collecting the values to bind.
class Filter {
 public:
  // Adds a value to bind and returns its placeholder number.
  int Bind(std::string v) {
    params_.push_back(std::move(v));
    return static_cast<int>(params_.size());
  }
  std::string P(std::string v) { return "$" + std::to_string(Bind(std::move(v))); }
  void And(std::string condition) {
    where_ += where_.empty() ? " WHERE " : " AND ";
    where_ += condition;
  }
  const std::string& where() const { return where_; }
  const std::vector<std::string>& params() const { return params_; }

 private:
  std::string where_;
  std::vector<std::string> params_;
};

}  // namespace

Result<CallPage> SearchCalls(pqxx::connection& conn, const CallQuery& q) {
  Filter f;
  if (q.number) {
    if (q.number_match == NumberMatch::kExact) {
      const std::string p = f.P(*q.number);
      f.And("(from_number = " + p + " OR to_number = " + p + ")");
    } else {
      // Digits and '+' only (ParseCallQuery), so no LIKE metacharacters.
      const std::string p = f.P(*q.number + "%");
      f.And("(from_number LIKE " + p + " OR to_number LIKE " + p + ")");
    }
  }
  if (q.direction) f.And("direction = " + f.P(*q.direction));
  if (q.status) f.And("status = " + f.P(std::string(CallStatusName(*q.status))));
  if (q.answered) f.And(std::string("answered = ") + (*q.answered ? "true" : "false"));
  if (q.recorded) f.And(*q.recorded ? "recording_path IS NOT NULL" : "recording_path IS NULL");
  if (q.since_us) f.And("start_time >= " + TimeParam(f.Bind(std::to_string(*q.since_us))));
  if (q.until_us) f.And("start_time < " + TimeParam(f.Bind(std::to_string(*q.until_us))));
  if (q.min_duration_s) f.And("duration >= " + f.P(std::to_string(*q.min_duration_s)) + "::integer");
  if (q.after) {
    const std::string key = "(call_id COLLATE \"C\", node COLLATE \"C\") < (" +
                            f.P(q.after->call_id) + ", " + f.P(q.after->node) + ")";
    if (q.after->start_us == 0) {
      f.And("start_time IS NULL AND " + key);
    } else {
      const std::string t = TimeParam(f.Bind(std::to_string(q.after->start_us)));
      f.And("(start_time IS NULL OR start_time < " + t + " OR (start_time = " + t + " AND " + key +
            "))");
    }
  }
  const std::string sql = "SELECT " + SelectList() + " FROM call_logs" + f.where() + kOrder +
                          " LIMIT " + std::to_string(q.limit + 1);
  try {
    pqxx::nontransaction tx(conn);
    const pqxx::result res = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(f.params()));
    CallPage page;
    for (const auto& row : res) {
      if (page.items.size() == static_cast<std::size_t>(q.limit)) {
        const CallRow& last = page.items.back();
        page.next_cursor = EncodeCursor({last.start_us, last.call_id, last.node});
        break;
      }
      auto r = ReadRow(row);
      if (!r.ok()) return r.status();
      page.items.push_back(std::move(*r));
    }
    return page;
  } catch (...) {
    return TranslateCurrentException("search calls");
  }
}

Result<std::optional<CallRow>> FindCall(pqxx::connection& conn, std::string_view call_id) {
  try {
    pqxx::nontransaction tx(conn);
    const pqxx::result res = tx.exec_params("SELECT " + SelectList() +
                                                " FROM call_logs WHERE call_id = $1" + kOrder +
                                                " LIMIT 1",
                                            std::string(call_id));
    if (res.empty()) return std::optional<CallRow>();
    auto r = ReadRow(res[0]);
    if (!r.ok()) return r.status();
    return std::optional<CallRow>(std::move(*r));
  } catch (...) {
    return TranslateCurrentException("find call");
  }
}

}  // namespace callledger::server
