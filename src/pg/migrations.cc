#include "pg/migrations.h"

#include <array>
#include <pqxx/transaction>
#include <string>

#include "pg/pg_missed_open.h"

namespace callledger::pg {
namespace {

// Version 1: the call log of DESIGN 4 and the per-node checkpoint.
//
// Text columns the row format renders as null when empty are nullable and
// hold NULL for "empty" (direction, numbers, caller name, ...); so are the
// times (0 = NULL) and the optional integers. call_id, channel_id and node
// are always present. from_number/to_number/start_time are nullable too:
// an anonymous caller has no number, and a constraint here would stall the
// projector on a row the ledger legitimately produced.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE call_logs (
  call_id           text        NOT NULL,
  direction         text,
  from_number       text,
  to_number         text,
  start_time        timestamptz,
  end_time          timestamptz,
  duration          integer,
  status            text        NOT NULL
                    CONSTRAINT call_logs_status_check
                    CHECK (status IN ('kelyapti', 'suhbatda', 'yakunlandi')),
  recording_path    text,
  channel_id        text        NOT NULL,
  node              text        NOT NULL,
  caller_name       text,
  answer_time       timestamptz,
  ring_seconds      integer,
  talk_seconds      integer,
  answered          boolean     NOT NULL,
  disposition       text,
  hangup_cause      integer,
  hangup_cause_txt  text,
  end_estimated     boolean     NOT NULL,
  args_ok           boolean     NOT NULL,
  first_seq         bigint      NOT NULL,
  last_seq          bigint      NOT NULL,
  projector_version integer     NOT NULL,
  CONSTRAINT call_logs_pkey PRIMARY KEY (node, call_id)
) PARTITION BY LIST (node);

-- Newest first with keyset pagination: WHERE node = $1 AND (start_time,
-- call_id) < ($2, $3) ORDER BY start_time DESC, call_id DESC.
CREATE INDEX call_logs_start_idx ON call_logs (node, start_time DESC, call_id DESC);
-- Number search: from_number LIKE '99890%' (prefix, any collation).
CREATE INDEX call_logs_from_idx ON call_logs (from_number text_pattern_ops);
CREATE INDEX call_logs_to_idx ON call_logs (to_number text_pattern_ops);
-- Live calls (ringing or talking): a small index over a few rows.
CREATE INDEX call_logs_live_idx ON call_logs (status) WHERE status <> 'yakunlandi';
-- Missed calls and the wallboard's statistics.
CREATE INDEX call_logs_missed_idx ON call_logs (direction, answered, start_time);

CREATE TABLE projector_checkpoint (
  node       text        PRIMARY KEY,
  last_seq   bigint      NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
)sql";

// Version 2: the HTTP API lists calls across nodes newest first, ties broken
// in byte order (server/call_search.cc). An index in exactly that order lets
// each keyset page read it in order instead of sorting every match, whatever
// the database's default collation.
constexpr std::string_view kV2 = R"sql(
CREATE INDEX call_logs_newest_idx ON call_logs
  (start_time DESC NULLS LAST, call_id COLLATE "C" DESC, node COLLATE "C" DESC);
)sql";

// Version 3: the number indexes also answer the follow-up lookups of
// GET /api/missed (pg/pg_call_stats.cc): for each missed call, the first
// outbound call to its number after it, and the first answered inbound call
// from that number after it. With the number alone the index finds every call
// of the number, and a number a call center deals with daily has thousands,
// each read from the heap and sorted, for each of up to 1000 missed calls:
// 70-130 ms for a day's page on 1M rows (2 nodes, skewed numbers). With
// answered and start_time after it each lookup is one index descent: 2-5 ms.
// The leading column keeps text_pattern_ops, so number prefix searches use
// the indexes as before, and replacing the two (rather than adding two more)
// keeps the cost of every projector write the same. Building them holds off
// writes to call_logs for a few seconds per million rows, once.
constexpr std::string_view kV3 = R"sql(
DROP INDEX call_logs_from_idx;
CREATE INDEX call_logs_from_idx ON call_logs (from_number text_pattern_ops, answered, start_time);
DROP INDEX call_logs_to_idx;
CREATE INDEX call_logs_to_idx ON call_logs (to_number text_pattern_ops, answered, start_time);
)sql";

// Version 4: cheaper rebuilds and open missed calls kept, not searched for.
// - call_logs_start_idx (node, start_time DESC, call_id DESC) served no
//   query: every partition holds one node, and the listings use
//   call_logs_newest_idx. Each index costs a sort in every rebuild and an
//   entry in every write.
// - call_logs_missed_idx covered every call to find the missed ones, with a
//   text column of two values leading (the slowest kind of index to build:
//   its sort compares the text of nearly every pair). The missed calls alone,
//   by start time, are a fifth of the size and answer the same queries.
// - missed_open: the missed calls nobody has reached yet (DESIGN 6, the
//   wallboard's "not yet called back"), so GET /api/missed?open=true reads
//   only those instead of looking for a follow-up of every missed call of
//   the period (pg/pg_missed_open.h keeps it; it is derived from call_logs
//   alone, across all nodes). The migration fills it from the rows already
//   there (RecomputeMissedOpen, about a second per million rows).
constexpr std::string_view kV4 = R"sql(
DROP INDEX call_logs_start_idx;
DROP INDEX call_logs_missed_idx;
CREATE INDEX call_logs_missed_idx ON call_logs (start_time)
  WHERE direction = 'kiruvchi' AND NOT answered AND status = 'yakunlandi';

CREATE TABLE missed_open (
  node        text        NOT NULL,
  call_id     text        NOT NULL,
  from_number text        NOT NULL,
  start_time  timestamptz NOT NULL,
  CONSTRAINT missed_open_pkey PRIMARY KEY (node, call_id)
);
CREATE INDEX missed_open_newest_idx ON missed_open
  (start_time DESC, call_id COLLATE "C" DESC, node COLLATE "C" DESC);
CREATE INDEX missed_open_number_idx ON missed_open (from_number, start_time);
)sql";

// Version 5: two columns that say how sure a row is (docs/projection.md,
// issue 12). `evidence` is where the row's facts come from (ari, or cel
// once a column is healed from Asterisk's CEL log); `end_reason` is why
// the row ended (hangup, gap, pbx_restart), NULL while the call is live.
// Their checks hold every value a rule will write, so a later rule needs
// no migration. The columns go on the parent, so every partition, and a
// rebuild's new table (LIKE call_logs), has them.
// The rows already there read sensibly before the next rebuild: evidence
// ari (a constant default: nothing rewritten), and end_reason from what
// the older columns said of a finished row (an estimated end was a
// reconcile's: version 2 had no other estimate). end_reason is filled by
// a rewrite (ALTER COLUMN ... USING) rather than an UPDATE: on a million
// rows 9 s against 21 s (the indexes are rebuilt once, not added to row by
// row), and no dead copy of every row is left for VACUUM. Either way the
// table is locked meanwhile (docs/operations.md, "Upgrading").
constexpr std::string_view kV5 = R"sql(
ALTER TABLE call_logs
  ADD COLUMN evidence text NOT NULL DEFAULT 'ari'
    CONSTRAINT call_logs_evidence_check CHECK (evidence IN ('ari', 'cel')),
  ADD COLUMN end_reason text
    CONSTRAINT call_logs_end_reason_check CHECK (end_reason IN ('hangup', 'gap', 'pbx_restart'));
ALTER TABLE call_logs ALTER COLUMN end_reason TYPE text USING
  CASE WHEN status = 'yakunlandi' THEN CASE WHEN end_estimated THEN 'gap' ELSE 'hangup' END END;
)sql";

// Version 6: who took the call (projector version 9, docs/projection.md
// "Agents"): `agent`, `agents_tried` (every leg rung, in order, with its
// outcome, as jsonb: GET /api/stats and /api/agents read its elements) and
// `transferred_to`. agents_tried is NOT NULL with '[]' as its default: a
// constant default is only a catalog change, so the ALTER rewrites nothing;
// the rows already there read as "no leg known" until a rebuild projects
// them again (docs/operations.md, "Upgrading"). The agent index has the
// order of call_logs_newest_idx after the agent, so a page of one agent's
// calls is read in order; partial, as most rows of an abandoned call have
// no agent.
constexpr std::string_view kV6 = R"sql(
ALTER TABLE call_logs
  ADD COLUMN agent text,
  ADD COLUMN agents_tried jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN transferred_to text;
CREATE INDEX call_logs_agent_idx ON call_logs
  (agent, start_time DESC NULLS LAST, call_id COLLATE "C" DESC, node COLLATE "C" DESC)
  WHERE agent IS NOT NULL;
)sql";

// Migration 4's step after its SQL: missed_open from the rows already there.
void FillMissedOpen(pqxx::transaction_base& tx) { RecomputeMissedOpen(tx); }

constexpr std::array kMigrations = {
    Migration{1, "call_logs (partitioned by node) and projector_checkpoint", kV1},
    Migration{2, "call_logs_newest_idx for the API's newest-first listing", kV2},
    Migration{3, "number indexes with answered, start_time for missed-call follow-ups", kV3},
    Migration{4, "fewer call_logs indexes; missed_open", kV4, &FillMissedOpen},
    Migration{5, "call_logs evidence and end_reason", kV5},
    Migration{6, "call_logs agent, agents_tried, transferred_to", kV6},
};
static_assert(kMigrations.size() == kSchemaVersion, "one migration per schema version");

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

Status Migrate(pqxx::connection_base& conn) {
  pqxx::work tx(conn, "migrate");
  // Everything below runs under the lock, including the creation of the
  // bookkeeping table, so concurrent starters serialize here.
  tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  const int current =
      tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
  if (current > kSchemaVersion) {
    return FailedPrecondition("database schema version " + std::to_string(current) +
                              " is newer than this build's " + std::to_string(kSchemaVersion) +
                              "; upgrade call-ledger");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    tx.exec(std::string(m.sql));
    if (m.fill != nullptr) m.fill(tx);
    tx.exec_params("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())",
                   m.version);
  }
  tx.commit();
  return Status::Ok();
}

}  // namespace callledger::pg
