// What the missed_open tests (pg_missed_open_test.cc,
// pg_missed_open_query_test.cc) compare the table with: the open missed calls
// computed without SQL from the rows written (OpenMissedOf), the table and the
// SQL definition read back (ReadEntries, Mismatch), random calls that
// interleave missed calls, callbacks and later calls (Scenario, RandomBatch),
// and the rows call_logs should hold (Model). Catch2 assertions: call them
// from a test.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/call_row.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"

namespace callledger::testing {

inline constexpr std::int64_t kSecond = 1'000'000;
inline constexpr std::int64_t kMinute = 60 * kSecond;
inline constexpr std::int64_t kDay = 24 * 60 * kMinute;
inline constexpr std::int64_t kT0 = 1'795'683'358'000'000;  // 2026-11-26, UTC

inline constexpr const char* kIn = "kiruvchi";
inline constexpr const char* kOut = "chiquvchi";

// "node|call_id|from_number|start µs", the form every side is compared in.
using Entries = std::set<std::string>;

std::string Entry(const std::string& node, const std::string& call_id, const std::string& from,
                  std::int64_t start_us);

// The open missed calls of `rows` (every node's), from the definitions in
// core/call_stats.h, without any SQL.
Entries OpenMissedOf(const std::vector<CallRow>& rows);

// The rows of `query` (a SELECT with node, call_id, from_number and
// start_time) as entries; REQUIREs one row per call.
Entries ReadEntries(const TestDatabase& db, std::string_view query);

// What is wrong with missed_open, or "" when it equals both the SQL
// definition over call_logs and OpenMissedOf(rows).
std::string Mismatch(const TestDatabase& db, const std::vector<CallRow>& rows);

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
                                   std::size_t size);

}  // namespace callledger::testing
