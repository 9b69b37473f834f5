#include "stats_tables.h"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "core/utc_time.h"
#include "pg/pg_call_log_store.h"
#include "pg/pg_call_stats.h"
#include "support/call_rows.h"

namespace callledger::testing {

std::int64_t At(const std::string& text) {
  const auto t = ParseIsoTimestamp(text);
  REQUIRE(t.has_value());
  return *t;
}

Table::Table(const std::vector<CallRow>& rows) {
  auto store = pg::PgCallLogStore::Open(db_.dsn());
  REQUIRE(store.ok());
  std::map<std::string, std::vector<CallRow>> by_node;
  for (const auto& r : rows) by_node[r.node].push_back(r);
  for (const auto& [node, node_rows] : by_node) {
    REQUIRE((*store)->ReplaceAll(node, node_rows, Seq{1}).ok());
  }
  REQUIRE(Count() == std::to_string(rows.size()));
}

Result<CallStats> Table::Stats(const StatsQuery& q) {
  pqxx::connection conn(db_.dsn());
  pqxx::read_transaction tx(conn);
  return pg::QueryStats(tx, q);
}

Result<GroupedStats> Table::Grouped(const GroupedStatsQuery& q) {
  pqxx::connection conn(db_.dsn());
  pqxx::read_transaction tx(conn);
  return pg::QueryGroupedStats(tx, q);
}

Result<AgentList> Table::Agents(const AgentsQuery& q) {
  pqxx::connection conn(db_.dsn());
  pqxx::read_transaction tx(conn);
  return pg::QueryAgents(tx, q);
}

Result<MissedList> Table::Missed(const MissedQuery& q) {
  pqxx::connection conn(db_.dsn());
  pqxx::read_transaction tx(conn);
  return pg::QueryMissed(tx, q);
}

StatsPeriod Period(std::int64_t since, std::int64_t until) {
  StatsPeriod p;
  p.since_us = since;
  p.until_us = until;
  return p;
}

bool IsInvalid(const Status& s, const std::string& parameter) {
  return s.code() == Code::kInvalidInput && s.message().starts_with(parameter + ": ");
}

MissedFixture::MissedFixture() {
  const std::string a = "pbx-a", b = "pbx-b";
  const std::string p1 = "998901111111", p2 = "998902222222", p3 = "998903333333",
                    p4 = "998904444444";
  // p1: answered by agent before it called (must not count), missed at
  // 10:00, called back unanswered at 10:05, then answered at 10:10 from
  // another node: the callback is the answered one.
  Add(Call(a, "p1-before", "chiquvchi", "101", p1, H(9), H(9) + kSecond, H(9, 1)));
  Add(Call(a, "m1", "kiruvchi", p1, "712", H(10), 0, H(10) + 10 * kSecond));
  Add(Call(a, "p1-cb1", "chiquvchi", "101", p1, H(10, 5), 0, H(10, 6)));
  Add(Call(b, "p1-cb2", "chiquvchi", "102", p1, H(10, 10), H(10, 10) + kSecond, H(10, 12)));
  // p2: answered inbound call before the missed one (does not count), one
  // callback attempt that nobody answered: open.
  Add(Call(a, "p2-earlier", "kiruvchi", p2, "712", H(10, 30), H(10, 31), H(10, 35)));
  Add(Call(a, "m2", "kiruvchi", p2, "712", H(11), 0, H(11) + 5 * kSecond));
  Add(Call(a, "p2-cb", "chiquvchi", "101", p2, H(11, 30), 0, H(11, 31)));
  // p3: missed twice, then called again and answered: both resolved by it.
  Add(Call(a, "m3", "kiruvchi", p3, "712", H(12), 0, H(12) + 5 * kSecond));
  Add(Call(a, "m4", "kiruvchi", p3, "712", H(12, 30), 0, H(12, 30) + 5 * kSecond));
  Add(Call(b, "p3-again", "kiruvchi", p3, "712", H(13), H(13) + 3 * kSecond, H(13, 5)));
  // p4: only other numbers were called back or called again; and p4
  // itself calling out is not a callback.
  Add(Call(a, "m5", "kiruvchi", p4, "712", H(14), 0, H(14) + 5 * kSecond));
  Add(Call(a, "other-cb", "chiquvchi", "101", "998905555555", H(14, 5), H(14, 6), H(14, 7)));
  Add(Call(a, "p4-prefix", "kiruvchi", "99890444444", "712", H(14, 8), H(14, 9), H(14, 10)));
  Add(Call(a, "p4-out", "chiquvchi", p4, "998905555555", H(14, 9), H(14, 10), H(14, 11)));
  // Hostile numbers: quotes and LIKE wildcards are plain characters.
  const std::string quoted = "99890' OR '1'='1";
  Add(Call(a, "m6", "kiruvchi", quoted, "712", H(15), 0, H(15) + kSecond));
  Add(Call(a, "quoted-cb", "chiquvchi", "101", quoted, H(15, 10), H(15, 11), H(15, 12)));
  Add(Call(a, "m8", "kiruvchi", "99890%", "712", H(15, 30), 0, H(15, 31)));
  Add(Call(a, "wild-cb", "chiquvchi", "101", "998906666666", H(15, 40), H(15, 41), H(15, 42)));
  // Not missed: live and ringing, answered, outbound, NULL direction.
  Add(Call(a, "ringing", "kiruvchi", "998907777777", "712", H(16), 0, 0));
  Add(Call(a, "answered", "kiruvchi", "998907777778", "712", H(16, 30), H(16, 31), H(16, 32)));
  Add(Call(a, "out-unanswered", "chiquvchi", "101", "998907777779", H(17), 0, H(17, 1)));
  Add(Call(a, "null-dir", "", "998907777780", "712", H(17, 30), 0, H(17, 31)));
  // Anonymous: no number, so nothing can follow it up, not even a call to
  // no number.
  Add(Call(a, "m-anon", "kiruvchi", "", "712", H(18), 0, H(18, 1)));
  Add(Call(a, "out-nonumber", "chiquvchi", "101", "", H(18, 10), H(18, 11), H(18, 12)));
  // Two missed calls at the same microsecond: call_id breaks the tie.
  Add(Call(a, "m7-a", "kiruvchi", "998908888888", "712", H(19), 0, H(19, 1)));
  Add(Call(b, "m7-b", "kiruvchi", "998908888889", "712", H(19), 0, H(19, 1)));
  // Outside the period (the day before, and the next day).
  Add(Call(a, "m-yesterday", "kiruvchi", "998909999999", "712", day - kHour, 0, day - kMinute));
  Add(Call(a, "m-tomorrow", "kiruvchi", "998909999999", "712", day + kDay, 0, day + kDay + 1));
}

}  // namespace callledger::testing
