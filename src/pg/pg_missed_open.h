// missed_open (migration 4): the missed calls nobody has reached yet, kept
// so that GET /api/missed?open=true reads those alone instead of looking for
// the follow-ups of every missed call of the period (DESIGN 6, the
// wallboard's "missed calls not yet called back"). Internal to src/pg; the
// functions may throw libpqxx exceptions for the caller's guard.
//
// Definitions (core/call_stats.h, MissedCall). A missed call m is a
// call_logs row with direction 'kiruvchi', not answered, status
// 'yakunlandi'. A contact of number X at time t is an answered row started
// at t that is outbound ('chiquvchi') to X or inbound ('kiruvchi') from X;
// live rows count. m is resolved when its from_number has a contact, on any
// node, that started after m; otherwise it is open. Numbers compare exactly.
//
// Invariant, at every commit: missed_open holds exactly one row
// (node, call_id, from_number, start_time) for each open missed call that
// has a from_number and a start_time, with those two values. A missed call
// without a number is always open (nothing can match it) and without a start
// time in no period; both are left to the query (pg_call_stats.cc). The
// table is derived from call_logs alone: it is not part of the projection's
// rows, and `ledger-replay check` compares call_logs only.
//
// Who keeps it:
//   RecomputeMissedOpen  from scratch: migration 4, and every rebuild in its
//                        swap's transaction (a rebuild replaces a node's rows).
//   MissedOpenUpkeep     incrementally, in each ApplyBatch's transaction.
//
// Concurrency. call_logs is written by one transaction per node at a time,
// under READ COMMITTED, and a missed call of node A can be resolved by a
// callback on node B. Two rules keep the invariant:
//   - Per-number transaction advisory locks (LockKeyOfNumber): a transaction
//     that changes what call_logs says about number X (a missed call from X,
//     a contact of X) or touches missed_open rows of X holds X's lock from
//     before its first statement that reads or writes missed_open until it
//     ends. Each statement after the lock sees whatever the previous holder
//     committed; without it, A inserting a missed call of X and B committing
//     a callback to X at once would each miss the other's row.
//   - A full recompute must not overlap a live batch: ApplyBatch holds
//     kMissedOpenLockKey shared, a rebuild takes it exclusively
//     (pg_call_log_store.cc).
#pragma once

#include <cstdint>
#include <pqxx/transaction_base>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/call_row.h"

namespace callledger::pg {

// Deletes every row of missed_open and inserts the open missed calls of
// `rows`: call_logs, or a relation with its columns that stands for it (a
// rebuild passes the other nodes' rows and its new table, before the swap).
// Two statements, a full pass over the rows: 6 ms at 10,472 rows,
// 1.1-1.3 s at 1M (bench/missed_open_bench.cc, 2 cores). The caller must
// keep live batches out (see above).
void RecomputeMissedOpen(pqxx::transaction_base& tx, std::string_view rows = "call_logs");

// The plain definition of the invariant's rows, as a query returning
// (node, call_id, from_number, start_time), unordered. For tests and
// audits: it is the slow way, and what RecomputeMissedOpen must equal.
std::string_view MissedOpenDefinitionSql();

// The upkeep of missed_open by one ApplyBatch of `node`, inside its
// transaction:
//   1. ReadBefore, before the batch writes call_logs: what its keys (every
//      call_id it upserts or deletes) were. One statement.
//   2. Apply, after the writes: locks the numbers whose facts changed, then
//      deletes, recomputes and inserts missed_open rows with at most six
//      statements, each over all of the batch's rows.
// A key whose facts did not change (a ringing call going on ringing, an
// answered call finishing) costs nothing in step 2. Not thread-safe: one
// per transaction.
class MissedOpenUpkeep {
 public:
  explicit MissedOpenUpkeep(std::string node) : node_(std::move(node)) {}

  // `upserts` and `deletes`: the batch's changes, coalesced (one per
  // call_id), as PgCallLogStore::DoApplyBatch has them.
  void ReadBefore(pqxx::transaction_base& tx, std::span<const RowChange* const> upserts,
                  std::span<const std::string* const> deletes);

  // The same `upserts`, now written. Call once, after ReadBefore.
  void Apply(pqxx::transaction_base& tx, std::span<const RowChange* const> upserts);

  // What a row says about a number, for the invariant (exposed for tests).
  struct Facts {
    // A contact: the number reached and the contact's start (UTC µs).
    std::string contact_number;
    std::int64_t contact_us = 0;
    // A missed call with a number and a start time: its number and start.
    std::string missed_number;
    std::int64_t missed_us = 0;

    bool contact() const { return !contact_number.empty(); }
    bool missed() const { return !missed_number.empty(); }
  };
  static Facts FactsOf(std::string_view direction, std::string_view from_number,
                       std::string_view to_number, std::int64_t start_us, bool answered,
                       bool finished);

 private:
  std::string node_;
  // The facts of the keys' old versions, by call_id; keys with no facts
  // (neither a contact nor a missed call, or no row) are absent.
  std::vector<std::pair<std::string, Facts>> before_;
};

}  // namespace callledger::pg
