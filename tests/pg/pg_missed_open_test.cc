// missed_open (pg/pg_missed_open.h) on a real PostgreSQL
// (CALL_LEDGER_TEST_PG): after every ApplyBatch and ReplaceAll the table
// equals both the plain SQL definition over call_logs and a computation here
// from the rows written; two nodes writing a number's missed calls and its
// callbacks at once keep it right; migration 4 fills it; and
// GET /api/missed?open=true, which reads it, answers as the query of
// every missed call does.
#include "pg/pg_missed_open.h"

#include <algorithm>
#include <barrier>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg/migrations.h"
#include "pg/pg_call_log_store.h"
#include "pg/pg_call_stats.h"
#include "pg/pg_row_codec.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"

namespace callledger {
namespace {

using pg::PgCallLogStore;
using testing::Call;
using testing::Delete;
using testing::TestDatabase;
using testing::Upsert;

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kDay = 24 * 60 * kMinute;
constexpr std::int64_t kT0 = 1'795'683'358'000'000;  // 2026-11-26, UTC

constexpr const char* kIn = "kiruvchi";
constexpr const char* kOut = "chiquvchi";

std::unique_ptr<PgCallLogStore> OpenStore(const TestDatabase& db, pg::PgOptions options = {}) {
  auto store = PgCallLogStore::Open(db.dsn(), std::move(options));
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

// "node|call_id|from_number|start µs", the form every side is compared in.
using Entries = std::set<std::string>;

std::string Entry(const std::string& node, const std::string& call_id, const std::string& from,
                  std::int64_t start_us) {
  return node + "|" + call_id + "|" + from + "|" + std::to_string(start_us);
}

// The open missed calls of `rows` (every node's), from the definitions in
// core/call_stats.h, without any SQL.
Entries OpenMissedOf(const std::vector<CallRow>& rows) {
  Entries out;
  for (const CallRow& m : rows) {
    if (m.direction != kIn || m.answered || m.status != CallStatus::kFinished) continue;
    if (m.from_number.empty() || m.start_us == 0) continue;
    const bool resolved = std::any_of(rows.begin(), rows.end(), [&](const CallRow& c) {
      return c.answered && c.start_us != 0 && c.start_us > m.start_us &&
             ((c.direction == kOut && c.to_number == m.from_number) ||
              (c.direction == kIn && c.from_number == m.from_number));
    });
    if (!resolved) out.insert(Entry(m.node, m.call_id, m.from_number, m.start_us));
  }
  return out;
}

Entries ReadEntries(const TestDatabase& db, std::string_view query) {
  pqxx::connection conn(db.dsn());
  pqxx::read_transaction tx(conn);
  Entries out;
  const std::string sql = "SELECT node, call_id, from_number, " + pg::TimeSql("start_time") +
                          " FROM (" + std::string(query) + ") q";
  for (const auto& row : tx.exec(sql)) {
    const auto start = pg::ParseTimestamp(row[3].c_str());
    REQUIRE(start.has_value());
    const bool inserted = out.insert(Entry(row[0].as<std::string>(), row[1].as<std::string>(),
                                           row[2].as<std::string>(), *start))
                              .second;
    REQUIRE(inserted);  // one row per call
  }
  return out;
}

// What is wrong with missed_open, or "" when it equals both the SQL
// definition over call_logs and OpenMissedOf(rows).
std::string Mismatch(const TestDatabase& db, const std::vector<CallRow>& rows) {
  const Entries table = ReadEntries(db, "SELECT * FROM missed_open");
  const Entries by_sql = ReadEntries(db, pg::MissedOpenDefinitionSql());
  const Entries by_cxx = OpenMissedOf(rows);
  const auto diff = [](const Entries& a, const Entries& b, const std::string& what) {
    std::string out;
    for (const auto& e : a) {
      if (!b.contains(e)) out += " " + what + ": " + e + ";";
    }
    return out;
  };
  return diff(table, by_sql, "in missed_open, not by the SQL definition") +
         diff(by_sql, table, "by the SQL definition, not in missed_open") +
         diff(by_sql, by_cxx, "by the SQL definition, not by the rows written") +
         diff(by_cxx, by_sql, "by the rows written, not by the SQL definition");
}

// Random calls among a few numbers and close times, so that missed calls,
// callbacks and calls answered later interleave: equal start times, live
// calls, missing numbers and start times, and rows that change kind.
class Scenario {
 public:
  explicit Scenario(std::uint64_t seed) : rng_(seed) {}

  std::int64_t Uniform(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  std::string Number() {
    static const std::vector<std::string> kNumbers = {
        "998901", "998902", "998903", "998904", "998905", "998906", "998907",
        "998908", "998909", "998910", "998911", "998912", "101",    "712"};
    if (Chance(0.04)) return "";  // anonymous
    return kNumbers[Uniform(0, kNumbers.size() - 1)];
  }
  // Minutes apart, so that many calls share a start time.
  std::int64_t Start() { return Chance(0.02) ? 0 : kT0 + Uniform(0, 120) * kMinute; }

  CallRow NewCall(const std::string& node) {
    return Reshape(node, node + "-" + std::to_string(next_id_++));
  }

  // A call of a random kind under the key (node, call_id).
  CallRow Reshape(const std::string& node, const std::string& call_id) {
    const std::int64_t start = Start();
    const std::int64_t s = start == 0 ? kT0 : start;
    switch (Uniform(0, 6)) {
      case 0:
      case 1:  // missed
        return Call(node, call_id, kIn, Number(), "712", start, 0, s + 20 * kSecond);
      case 2:  // answered callback
        return Call(node, call_id, kOut, "101", Number(), start, s + 5 * kSecond, s + kMinute);
      case 3:  // callback attempt nobody answered
        return Call(node, call_id, kOut, "101", Number(), start, 0, s + 30 * kSecond);
      case 4:  // answered inbound
        return Call(node, call_id, kIn, Number(), "712", start, s + 3 * kSecond, s + kMinute);
      case 5:  // live: ringing or talking
        return Call(node, call_id, Chance(0.5) ? kIn : kOut, Number(), Number(), start,
                    Chance(0.5) ? s + kSecond : 0, 0);
      default:  // inbound, still ringing (not yet missed)
        return Call(node, call_id, kIn, Number(), "712", start, 0, 0);
    }
  }

  // The same call with one thing changed: its number, its answer, its
  // start or its end.
  CallRow Mutate(CallRow r) {
    switch (Uniform(0, 4)) {
      case 0:
        (r.direction == kOut ? r.to_number : r.from_number) = Number();
        break;
      case 1:
        r.answered = !r.answered;
        r.answer_us = r.answered ? r.start_us + kSecond : 0;
        break;
      case 2:
        r.start_us = Start();
        break;
      case 3:
        r.status = r.status == CallStatus::kFinished ? CallStatus::kTalking : CallStatus::kFinished;
        r.end_us = r.status == CallStatus::kFinished ? r.start_us + kMinute : 0;
        break;
      default:
        return Reshape(r.node, r.call_id);
    }
    return r;
  }

 private:
  std::mt19937_64 rng_;
  int next_id_ = 0;
};

// The rows of both nodes as the tests expect call_logs to hold them.
class Model {
 public:
  void Apply(const std::vector<RowChange>& changes) {
    for (const RowChange& ch : changes) {
      const auto key = std::pair{ch.row.node, ch.row.call_id};
      if (ch.op == RowChange::Op::kDelete) {
        rows_.erase(key);
      } else {
        rows_[key] = ch.row;
      }
    }
  }
  void Replace(const std::string& node, const std::vector<CallRow>& rows) {
    std::erase_if(rows_, [&](const auto& kv) { return kv.first.first == node; });
    for (const CallRow& r : rows) rows_[{r.node, r.call_id}] = r;
  }
  std::vector<CallRow> Rows() const {
    std::vector<CallRow> out;
    for (const auto& [key, r] : rows_) out.push_back(r);
    return out;
  }
  std::vector<CallRow> RowsOf(const std::string& node) const {
    std::vector<CallRow> out;
    for (const auto& [key, r] : rows_) {
      if (key.first == node) out.push_back(r);
    }
    return out;
  }

 private:
  std::map<std::pair<std::string, std::string>, CallRow> rows_;
};

// A batch of `size` random changes of `node`: new calls, changed calls,
// deletes, and now and then the same key twice.
std::vector<RowChange> RandomBatch(Scenario& s, const Model& model, const std::string& node,
                                   std::size_t size) {
  std::vector<CallRow> existing = model.RowsOf(node);
  std::vector<RowChange> batch;
  for (std::size_t i = 0; i < size; ++i) {
    const std::int64_t kind = existing.empty() ? 0 : s.Uniform(0, 9);
    if (kind <= 4) {
      batch.push_back(Upsert(s.NewCall(node)));
    } else if (kind <= 8) {
      const CallRow& r = existing[s.Uniform(0, existing.size() - 1)];
      batch.push_back(Upsert(s.Mutate(r)));
    } else {
      batch.push_back(Delete(node, existing[s.Uniform(0, existing.size() - 1)].call_id));
    }
  }
  return batch;
}

TEST_CASE("missed_open equals its definition after every batch and rebuild of two nodes", "[pg]") {
  TestDatabase db;
  // A low staging threshold sends every batch over 8 rows through COPY.
  pg::PgOptions copy_early;
  copy_early.staging_threshold = 8;
  auto a = OpenStore(db);
  auto b = OpenStore(db, copy_early);
  const std::vector<std::pair<std::string, PgCallLogStore*>> nodes = {{"pbx-a", a.get()},
                                                                      {"pbx-b", b.get()}};
  std::map<std::string, std::uint64_t> seq;
  Scenario s(20261126);
  Model model;
  constexpr std::size_t kSizes[] = {1, 1, 2, 3, 5, 9, 20, 45, 120};
  for (int step = 0; step < 160; ++step) {
    CAPTURE(step);
    const auto& [node, store] = nodes[s.Uniform(0, 1)];
    if (step % 40 == 39) {
      // A rebuild of the node from its rows, some of them changed.
      std::vector<CallRow> rows = model.RowsOf(node);
      for (CallRow& r : rows) {
        if (s.Chance(0.2)) r = s.Mutate(r);
      }
      if (!rows.empty()) rows.pop_back();
      REQUIRE(store->ReplaceAll(node, rows, Seq{seq[node] + 1}).ok());
      ++seq[node];
      model.Replace(node, rows);
    } else {
      const std::size_t size = kSizes[s.Uniform(0, std::size(kSizes) - 1)];
      const std::vector<RowChange> batch = RandomBatch(s, model, node, size);
      const Status st = store->ApplyBatch(node, Seq{seq[node]}, Seq{seq[node] + 1}, batch);
      INFO(st.ToString());
      REQUIRE(st.ok());
      ++seq[node];
      model.Apply(batch);
    }
    REQUIRE(Mismatch(db, model.Rows()) == "");
  }
  // The test sees a wrong row: the comparison is not vacuous.
  const Entries open = ReadEntries(db, "SELECT * FROM missed_open");
  INFO(open.size() << " open missed calls at the end");
  CHECK(open.size() >= 10);
  db.Exec("INSERT INTO missed_open VALUES ('pbx-a', 'bogus', '998901', now())");
  CHECK_THAT(Mismatch(db, model.Rows()),
             Catch::Contains("in missed_open, not by the SQL definition: pbx-a|bogus|998901|"));
  // And the full recompute repairs it.
  {
    pqxx::connection conn(db.dsn());
    pqxx::work tx(conn);
    pg::RecomputeMissedOpen(tx);
    tx.commit();
  }
  CHECK(Mismatch(db, model.Rows()) == "");
  db.Exec("DELETE FROM missed_open WHERE call_id IN (SELECT call_id FROM missed_open LIMIT 1)");
  CHECK_THAT(Mismatch(db, model.Rows()), Catch::Contains("not in missed_open"));
}

TEST_CASE("missed_open: hand-made cases of each rule", "[pg]") {
  TestDatabase db;
  auto a = OpenStore(db);
  auto b = OpenStore(db);
  Model model;
  std::map<std::string, std::uint64_t> seq;
  const auto apply = [&](PgCallLogStore& store, const std::string& node,
                         const std::vector<RowChange>& batch) {
    const Status st = store.ApplyBatch(node, Seq{seq[node]}, Seq{seq[node] + 1}, batch);
    INFO(st.ToString());
    REQUIRE(st.ok());
    ++seq[node];
    model.Apply(batch);
    REQUIRE(Mismatch(db, model.Rows()) == "");
  };
  const std::int64_t t = kT0;
  const CallRow m1 = Call("a", "m1", kIn, "998901", "712", t, 0, t + kMinute);
  const CallRow m2 = Call("a", "m2", kIn, "998901", "712", t + 10 * kMinute, 0, t + 11 * kMinute);
  apply(*a, "a", {Upsert(m1), Upsert(m2)});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open").size() == 2);
  // A callback on another node between them resolves m1 only; at the same
  // start time as m2 it does not resolve m2.
  const CallRow cb =
      Call("b", "cb", kOut, "101", "998901", t + 10 * kMinute, t + 10 * kMinute + kSecond, 0);
  apply(*b, "b", {Upsert(cb)});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open") ==
        Entries{Entry("a", "m2", "998901", t + 10 * kMinute)});
  // The callback turns out unanswered (rows can change): m1 is open again.
  CallRow cb_no = cb;
  cb_no.answered = false;
  cb_no.answer_us = 0;
  apply(*b, "b", {Upsert(cb_no)});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open").size() == 2);
  // Answered again, then its number changes: m1 open again, 998902's
  // missed call before it resolved.
  const CallRow m3 = Call("a", "m3", kIn, "998902", "712", t, 0, t + kMinute);
  apply(*a, "a", {Upsert(m3)});
  apply(*b, "b", {Upsert(cb)});
  CallRow cb_other = cb;
  cb_other.to_number = "998902";
  apply(*b, "b", {Upsert(cb_other)});
  // Moved earlier than m1: m1 open; moved later: resolved again.
  CallRow cb_early = cb;
  cb_early.start_us = t - kMinute;
  apply(*b, "b", {Upsert(cb_early)});
  cb_early.start_us = t + 5 * kMinute;
  apply(*b, "b", {Upsert(cb_early)});
  // Deleted: open again. A later inbound answered call from the number
  // resolves both, live as it is.
  apply(*b, "b", {Delete("b", "cb")});
  apply(*a, "a",
        {Upsert(Call("a", "again", kIn, "998901", "712", t + 20 * kMinute,
                     t + 20 * kMinute + kSecond, 0))});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open") == Entries{Entry("a", "m3", "998902", t)});
  // A missed call that becomes answered leaves; one whose start moves
  // after the later call comes back.
  CallRow m3_later = m3;
  m3_later.start_us = t + 30 * kMinute;
  apply(*a, "a", {Upsert(m3_later)});
  CallRow m2_later = m2;
  m2_later.start_us = t + 30 * kMinute;
  apply(*a, "a", {Upsert(m2_later), Delete("a", "m1")});
  CHECK(ReadEntries(db, "SELECT * FROM missed_open").size() == 2);
}

TEST_CASE("missed_open: two nodes writing a number's missed calls and callbacks at once", "[pg]") {
  TestDatabase db;
  auto a = OpenStore(db);
  auto b = OpenStore(db);
  // Round i: node a writes missed calls from two numbers of the round's
  // own, node b the answered callbacks to them, a minute later, in one
  // batch each and at the same moment (a barrier starts both). Without the
  // number locks each batch's statements miss the other's uncommitted row,
  // and the missed calls stay open though called back; with numbers of its
  // own no later round repairs that. The two batches name the numbers in
  // opposite orders, and the locks must not deadlock.
  constexpr int kRounds = 120;
  std::vector<std::vector<RowChange>> batches_a, batches_b;
  Entries open;
  for (int i = 0; i < kRounds; ++i) {
    const std::string p = "99890" + std::to_string(1000 + i);
    const std::string q = "99891" + std::to_string(1000 + i);
    const std::int64_t t = kT0 + i * kSecond;
    const std::string id = std::to_string(i);
    batches_a.push_back({Upsert(Call("a", "m-p" + id, kIn, p, "712", t, 0, t + kSecond)),
                         Upsert(Call("a", "m-q" + id, kIn, q, "712", t, 0, t + kSecond))});
    std::vector<RowChange> callbacks;
    if (i % 10 != 9) {
      for (const std::string& n : {q, p}) {
        callbacks.push_back(
            Upsert(Call("b", "cb-" + n, kOut, "101", n, t + kMinute, t + kMinute + kSecond, 0)));
      }
    } else {
      open.insert(Entry("a", "m-p" + id, p, t));
      open.insert(Entry("a", "m-q" + id, q, t));
      callbacks.push_back(Upsert(Call("b", "ring-" + id, kIn, "998", "712", t, 0, 0)));
    }
    batches_b.push_back(std::move(callbacks));
  }
  std::barrier round_start(2);
  Status sa, sb;
  const auto run = [&](PgCallLogStore& store, const std::string& node,
                       const std::vector<std::vector<RowChange>>& batches, Status& out) {
    for (std::size_t i = 0; i < batches.size(); ++i) {
      round_start.arrive_and_wait();
      if (out.ok()) out = store.ApplyBatch(node, Seq{i}, Seq{i + 1}, batches[i]);
    }
  };
  std::thread ta([&] { run(*a, "a", batches_a, sa); });
  std::thread tb([&] { run(*b, "b", batches_b, sb); });
  ta.join();
  tb.join();
  INFO(sa.ToString() << " / " << sb.ToString());
  REQUIRE(sa.ok());
  REQUIRE(sb.ok());
  Model model;
  for (const auto& batch : batches_a) model.Apply(batch);
  for (const auto& batch : batches_b) model.Apply(batch);
  CHECK(Mismatch(db, model.Rows()) == "");
  CHECK(ReadEntries(db, "SELECT * FROM missed_open") == open);
}

TEST_CASE("missed_open: migration 4 fills it from the rows already there", "[pg]") {
  TestDatabase db;
  std::vector<CallRow> rows;
  Scenario s(4);
  for (int i = 0; i < 300; ++i) rows.push_back(s.NewCall(i % 2 ? "a" : "b"));
  {
    // A database at version 3 with rows: the schema of an older build.
    pqxx::connection conn(db.dsn());
    pqxx::work tx(conn);
    tx.exec(
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    for (const pg::Migration& m : pg::Migrations()) {
      if (m.version > 3) break;
      tx.exec(std::string(m.sql));
      tx.exec("INSERT INTO schema_migrations (version) VALUES (" + std::to_string(m.version) + ")");
    }
    tx.exec("CREATE TABLE call_logs_a PARTITION OF call_logs FOR VALUES IN ('a')");
    tx.exec("CREATE TABLE call_logs_b PARTITION OF call_logs FOR VALUES IN ('b')");
    for (const CallRow& r : rows) {
      const auto time = [&](std::int64_t us) {
        return us == 0 ? std::string("NULL") : tx.quote(pg::FormatTimestamp(us));
      };
      const auto text = [&](const std::string& v) {
        return v.empty() ? std::string("NULL") : tx.quote(v);
      };
      tx.exec(
          "INSERT INTO call_logs (call_id, direction, from_number, to_number, start_time,"
          " status, channel_id, node, answered, end_estimated, args_ok, first_seq, last_seq,"
          " projector_version) VALUES (" +
          tx.quote(r.call_id) + ", " + text(r.direction) + ", " + text(r.from_number) + ", " +
          text(r.to_number) + ", " + time(r.start_us) + ", " +
          tx.quote(std::string(CallStatusName(r.status))) + ", " + tx.quote(r.channel_id) + ", " +
          tx.quote(r.node) + ", " + (r.answered ? "true" : "false") + ", false, true, 1, 2, 1)");
    }
    tx.commit();
  }
  auto store = OpenStore(db);
  REQUIRE(db.Exec("SELECT max(version) FROM schema_migrations") ==
          std::to_string(pg::kSchemaVersion));
  CHECK(Mismatch(db, rows) == "");
  CHECK(ReadEntries(db, "SELECT * FROM missed_open").size() >= 10);
}

// ---------------------------------------------------------------------------
// GET /api/missed?open=true from missed_open against the query it replaced.

// The query of every missed call with its follow-ups, as it was before
// missed_open (pg_call_stats.cc at 5d615ef, only_open = true): the
// reference for the items, their order and their follow-up fields.
std::string ReferenceOpenSql() {
  const auto follow_up = [](const std::string& alias, const std::string& where) {
    return " LEFT JOIN LATERAL (SELECT c.call_id, c.node, c.start_time, c.answered"
           " FROM call_logs c WHERE " +
           where +
           " AND c.start_time > m.start_time"
           " ORDER BY c.start_time, c.call_id COLLATE \"C\", c.node COLLATE \"C\" LIMIT 1) " +
           alias + " ON true";
  };
  const auto columns = [](const std::string& a) {
    return ", " + a + ".call_id, " + a + ".node, " + pg::TimeSql(a + ".start_time") + ", " + a +
           ".answered";
  };
  return "SELECT * FROM (SELECT " + pg::SelectList("m.") + columns("cb_ok") + columns("cb_no") +
         columns("al") +
         ", (cb_ok.call_id IS NOT NULL OR al.call_id IS NOT NULL) AS resolved"
         " FROM call_logs m" +
         follow_up("cb_ok",
                   "c.direction = 'chiquvchi' AND c.to_number = m.from_number AND c.answered") +
         follow_up("cb_no",
                   "cb_ok.call_id IS NULL AND c.direction = 'chiquvchi'"
                   " AND c.to_number = m.from_number AND NOT c.answered") +
         follow_up("al",
                   "cb_ok.call_id IS NULL AND c.direction = 'kiruvchi'"
                   " AND c.from_number = m.from_number AND c.answered") +
         " WHERE m.direction = 'kiruvchi' AND NOT m.answered AND m.status = 'yakunlandi'"
         " AND m.start_time >= " +
         pg::TimeParam(1) + " AND m.start_time < " + pg::TimeParam(2) +
         " ORDER BY m.start_time DESC, m.call_id COLLATE \"C\" DESC, m.node COLLATE \"C\" DESC"
         " OFFSET 0) x WHERE NOT x.resolved LIMIT $3";
}

std::vector<std::string> Describe(const MissedList& list) {
  std::vector<std::string> out;
  const auto follow = [](const std::optional<FollowUp>& f) {
    return f ? f->node + "/" + f->call_id + "@" + std::to_string(f->start_us) +
                   (f->answered ? "+" : "-")
             : std::string("none");
  };
  for (const MissedCall& m : list.items) {
    out.push_back(m.call.node + "/" + m.call.call_id + " from=" + m.call.from_number +
                  " start=" + std::to_string(m.call.start_us) + " callback=" + follow(m.callback) +
                  " later=" + follow(m.answered_later) + (m.resolved ? " resolved" : " open"));
  }
  return out;
}

std::vector<std::string> Reference(pqxx::transaction_base& tx, std::int64_t since,
                                   std::int64_t until, int limit) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_params(ReferenceOpenSql(), since, until, limit)) {
    auto call = pg::ReadRow(row);
    REQUIRE(call.ok());
    MissedCall m;
    m.call = *call;
    constexpr int kFirst = static_cast<int>(pg::kColumns.size());
    const auto read = [&](int first) -> std::optional<FollowUp> {
      if (row[first].is_null()) return std::nullopt;
      const auto start = pg::ParseTimestamp(row[first + 2].c_str());
      REQUIRE(start.has_value());
      return FollowUp{row[first].as<std::string>(), row[first + 1].as<std::string>(), *start,
                      row[first + 3].as<bool>()};
    };
    m.callback = read(kFirst) ? read(kFirst) : read(kFirst + 4);
    m.answered_later = read(kFirst + 8);
    m.resolved = row[kFirst + 12].as<bool>();
    MissedList one;
    one.items.push_back(m);
    out.push_back(Describe(one)[0]);
  }
  return out;
}

TEST_CASE("missed?open=true from missed_open answers as the query of every missed call", "[pg]") {
  TestDatabase db;
  auto a = OpenStore(db);
  auto b = OpenStore(db);
  Scenario s(7);
  Model model;
  std::map<std::string, std::uint64_t> seq;
  // Batches as the projector writes them, on two nodes.
  for (int step = 0; step < 120; ++step) {
    const std::string node = step % 2 ? "pbx-a" : "pbx-b";
    const std::vector<RowChange> batch = RandomBatch(s, model, node, s.Uniform(1, 30));
    REQUIRE((node == "pbx-a" ? *a : *b)
                .ApplyBatch(node, Seq{seq[node]}, Seq{seq[node] + 1}, batch)
                .ok());
    ++seq[node];
    model.Apply(batch);
  }
  REQUIRE(Mismatch(db, model.Rows()) == "");
  // Also an anonymous missed call, one without a start time, and numbers
  // of their own: open calls with callback attempts (the first one shows),
  // calls resolved by a callback after an attempt, and the same call_id and
  // start time on both nodes (ties in node order).
  std::vector<RowChange> extra_a = {
      Upsert(Call("pbx-a", "anon", kIn, "", "712", kT0 + 7 * kMinute, 0, kT0 + 8 * kMinute)),
      Upsert(Call("pbx-a", "timeless", kIn, "998901", "712", 0, 0, kT0))};
  std::vector<RowChange> extra_b;
  for (int k = 0; k < 40; ++k) {
    const std::string number = "99893" + std::to_string(100 + k);
    const std::int64_t t = kT0 + k * kMinute;
    const std::string id = "own-" + std::to_string(k);
    auto& mine = k % 2 ? extra_a : extra_b;
    auto& other = k % 2 ? extra_b : extra_a;
    const std::string node = k % 2 ? "pbx-a" : "pbx-b";
    const std::string other_node = k % 2 ? "pbx-b" : "pbx-a";
    mine.push_back(Upsert(Call(node, id, kIn, number, "712", t, 0, t + kSecond)));
    if (k % 4 == 0) other.push_back(Upsert(Call(other_node, id, kIn, number, "712", t, 0, t + 1)));
    if (k % 3 != 0) {
      other.push_back(Upsert(Call(other_node, id + "-try1", kOut, "101", number, t + 2 * kMinute, 0,
                                  t + 3 * kMinute)));
      other.push_back(Upsert(Call(other_node, id + "-try2", kOut, "101", number, t + 4 * kMinute, 0,
                                  t + 5 * kMinute)));
    }
    if (k % 5 == 0) {
      other.push_back(Upsert(Call(other_node, id + "-cb", kOut, "101", number, t + 6 * kMinute,
                                  t + 6 * kMinute + kSecond, t + 7 * kMinute)));
    }
  }
  std::vector<RowChange> extra = extra_a;
  REQUIRE(a->ApplyBatch("pbx-a", Seq{seq["pbx-a"]}, Seq{seq["pbx-a"] + 1}, extra_a).ok());
  REQUIRE(b->ApplyBatch("pbx-b", Seq{seq["pbx-b"]}, Seq{seq["pbx-b"] + 1}, extra_b).ok());
  extra.insert(extra.end(), extra_b.begin(), extra_b.end());
  model.Apply(extra);
  REQUIRE(Mismatch(db, model.Rows()) == "");
  std::map<std::pair<std::string, std::string>, CallRow> by_key;
  for (const CallRow& r : model.Rows()) by_key[{r.node, r.call_id}] = r;

  pqxx::connection conn(db.dsn());
  pqxx::read_transaction tx(conn);
  const std::vector<std::pair<std::int64_t, std::int64_t>> periods = {
      {kT0 - kDay, kT0 + kDay},                    // everything
      {kT0 + 30 * kMinute, kT0 + 90 * kMinute},    // part of it
      {kT0 + 7 * kMinute, kT0 + 7 * kMinute + 1},  // one instant
      {kT0 + 2 * kDay, kT0 + 3 * kDay}};           // nothing
  std::size_t compared = 0, attempts = 0;
  for (const auto& [since, until] : periods) {
    for (int limit : {1, 3, 10, 100, 1000}) {
      CAPTURE(since, until, limit);
      MissedQuery q;
      q.period.since_us = since;
      q.period.until_us = until;
      q.only_open = true;
      q.limit = limit;
      auto got = pg::QueryMissed(tx, q);
      REQUIRE(got.ok());
      const std::vector<std::string> want = Reference(tx, since, until, limit);
      CHECK(Describe(*got) == want);
      // Whole rows too, not only the fields described.
      for (const MissedCall& m : got->items) {
        CHECK(m.call == by_key.at({m.call.node, m.call.call_id}));
        if (m.callback) ++attempts;
      }
      compared += want.size();
    }
  }
  // Enough to mean something, some of them with a callback attempt.
  CHECK(compared > 100);
  CHECK(attempts > 10);
}

}  // namespace
}  // namespace callledger
