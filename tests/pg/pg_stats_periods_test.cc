// Periods of the supervisor figures on a real PostgreSQL
// (CALL_LEDGER_TEST_PG): the PBX's day in its zone, one bound given, bad and
// hostile zones (refused, and they change nothing), and database errors
// through the PgCallLogReader's guard.
#include "pg/pg_call_stats.h"

#include <catch2/catch.hpp>
#include <limits>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "pg/pg_call_log_reader.h"
#include "pg/pg_call_log_store.h"
#include "pg/pg_row_codec.h"
#include "stats_tables.h"
#include "support/pg_test_db.h"

namespace callledger {
namespace {

using testing::IsInvalid;
using testing::kDay;
using testing::kHour;
using testing::MissedFixture;
using testing::Period;
using testing::Table;
using testing::TestDatabase;

// ---------------------------------------------------------------------------
// (4) Periods: the PBX's day in its zone.

// now() of the transaction, in UTC µs, read the way the store reads times.
std::int64_t Now(pqxx::transaction_base& tx) {
  const auto now = pg::ParseTimestamp(tx.exec1("SELECT " + pg::TimeSql("now()"))[0].c_str());
  REQUIRE(now.has_value());
  return *now;
}

TEST_CASE("periods: the day in a zone, one bound given, bad zones", "[pg]") {
  TestDatabase db;
  pqxx::connection conn(db.dsn());
  pqxx::read_transaction tx(conn);
  const std::int64_t now = Now(tx);

  StatsPeriod p;
  p.zone = "UTC";
  auto utc = pg::ResolvePeriod(tx, p);
  REQUIRE(utc.ok());
  CHECK(utc->first == now - now % kDay);
  CHECK(utc->second == utc->first + kDay);

  // Tashkent is UTC+5 all year (no DST since 1992): its midnight is 19:00 UTC.
  p.zone = "Asia/Tashkent";
  auto tashkent = pg::ResolvePeriod(tx, p);
  REQUIRE(tashkent.ok());
  const std::int64_t local = now + 5 * kHour;
  CHECK(tashkent->first == local - local % kDay - 5 * kHour);
  CHECK(tashkent->second == tashkent->first + kDay);
  CHECK(tashkent->first <= now);
  CHECK(now < tashkent->second);

  // One bound given: the other from today.
  p.since_us = tashkent->first - 3 * kDay + 1;
  auto since_only = pg::ResolvePeriod(tx, p);
  REQUIRE(since_only.ok());
  CHECK(*since_only == std::pair{tashkent->first - 3 * kDay + 1, tashkent->second});
  p.since_us.reset();
  p.until_us = tashkent->second + 7;
  auto until_only = pg::ResolvePeriod(tx, p);
  REQUIRE(until_only.ok());
  CHECK(*until_only == std::pair{tashkent->first, tashkent->second + 7});
  p.until_us = tashkent->first;  // today's midnight: an empty period
  CHECK(IsInvalid(pg::ResolvePeriod(tx, p).status(), "until"));

  // Both given: taken as they are, the zone is not consulted.
  p.zone = "No/Such_Zone";
  p.since_us = 5;
  p.until_us = 6;
  auto both = pg::ResolvePeriod(tx, p);
  REQUIRE(both.ok());
  CHECK(*both == std::pair<std::int64_t, std::int64_t>{5, 6});
  p.until_us = 5;
  CHECK(IsInvalid(pg::ResolvePeriod(tx, p).status(), "until"));
  p.until_us = 4;
  CHECK(IsInvalid(pg::ResolvePeriod(tx, p).status(), "until"));
  p.since_us = std::numeric_limits<std::int64_t>::min();
  CHECK(IsInvalid(pg::ResolvePeriod(tx, p).status(), "since"));

  // An unknown zone is invalid input naming "zone", and the transaction is
  // still usable afterwards (the failed statement ran under a savepoint).
  p = StatsPeriod{};
  const std::vector<std::string> bad_zones = {
      "No/Such_Zone",       "",        std::string("UTC\0junk", 8), "Mars/Olympus",
      std::string(65, 'A'), "\xff\xfe"};
  for (const std::string& zone : bad_zones) {
    p.zone = zone;
    const auto r = pg::ResolvePeriod(tx, p);
    INFO(r.status().ToString());
    CHECK(IsInvalid(r.status(), "zone"));
  }
  p.zone = "UTC";
  auto again = pg::ResolvePeriod(tx, p);
  REQUIRE(again.ok());
  CHECK(*again == *utc);
  CHECK(Now(tx) == now);  // the same transaction
  tx.commit();

  // Outside a transaction block there is no savepoint to take; still a status.
  pqxx::nontransaction nt(conn);
  p.zone = "No/Such_Zone";
  CHECK(IsInvalid(pg::ResolvePeriod(nt, p).status(), "zone"));
  p.zone = "Asia/Tashkent";
  CHECK(pg::ResolvePeriod(nt, p).ok());
}

TEST_CASE("periods: the default day through the reader", "[pg]") {
  TestDatabase db;
  auto store = pg::PgCallLogStore::Open(db.dsn());  // the schema
  REQUIRE(store.ok());
  pg::PgCallLogReader reader(db.dsn());
  StatsQuery q;
  q.period.zone = "Asia/Tashkent";
  auto s = reader.Stats(q);
  REQUIRE(s.ok());
  CHECK(s->until_us - s->since_us == kDay);
  CHECK((s->since_us + 5 * kHour) % kDay == 0);
  CHECK(s->service_level_seconds == 20);
  MissedQuery mq;
  mq.period.zone = "Asia/Tashkent";
  auto m = reader.Missed(mq);
  REQUIRE(m.ok());
  CHECK(m->since_us == s->since_us);
  CHECK(m->until_us == s->until_us);
  q.period.zone = "Nowhere/Atlantis";
  CHECK(IsInvalid(reader.Stats(q).status(), "zone"));
  // The reader's connection survives a refused zone.
  q.period.zone = "UTC";
  CHECK(reader.Stats(q).ok());
}

// ---------------------------------------------------------------------------
// (5) Hostile input changes nothing; database errors go through the guard.

TEST_CASE("hostile zone strings are refused and change nothing", "[pg]") {
  const MissedFixture f;
  Table t(f.rows);
  const std::string count = t.Count();
  pg::PgCallLogReader reader(t.db().dsn());
  for (const std::string zone :
       {"UTC'; DROP TABLE call_logs; --", "Asia/Tashkent') AT TIME ZONE ('UTC",
        "UTC$$; DELETE FROM call_logs; $$", "UTC\"; DELETE FROM call_logs; --"}) {
    INFO(zone);
    StatsQuery q;
    q.period.zone = zone;
    CHECK(IsInvalid(reader.Stats(q).status(), "zone"));
    MissedQuery mq;
    mq.period.zone = zone;
    CHECK(IsInvalid(reader.Missed(mq).status(), "zone"));
    CHECK(IsInvalid(t.Stats(q).status(), "zone"));
  }
  CHECK(t.Count() == count);
  CHECK(t.db().Exec("SELECT count(*) FROM call_logs WHERE from_number = '99890'' OR ''1''=''1'") ==
        "1");
}

TEST_CASE("database errors come back as statuses through the reader's guard", "[pg]") {
  TestDatabase db;  // no schema: call_logs does not exist
  pg::PgCallLogReader reader(db.dsn());
  StatsQuery q;
  q.period = Period(0, kDay);
  // Which code a missing table gets is the guard's policy
  // (pg/pg_row_codec.h); here it matters that the exception became a status
  // that is not blamed on the caller's input.
  const auto s = reader.Stats(q);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() != Code::kInvalidInput);
  CHECK(s.status().message().find("42P01") != std::string::npos);
  MissedQuery mq;
  mq.period = Period(0, kDay);
  const auto m = reader.Missed(mq);
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == s.status().code());
  CHECK(m.status().message().find("42P01") != std::string::npos);
  // Input errors are decided before any SQL runs.
  mq.limit = 0;
  CHECK(IsInvalid(reader.Missed(mq).status(), "limit"));

  pg::PgCallLogReader unreachable("host=/nonexistent-dir port=1 dbname=x connect_timeout=1");
  CHECK(unreachable.Stats(q).status().code() == Code::kUnavailable);
}

}  // namespace
}  // namespace callledger
