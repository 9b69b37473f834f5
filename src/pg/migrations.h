// Versioned schema migrations of the PostgreSQL call-log store (DESIGN 5).
//
// The database records what it has applied in
// schema_migrations(version int primary key, applied_at timestamptz).
// Migrate() brings it to kSchemaVersion in ONE transaction that first takes a
// transaction-scoped advisory lock (kMigrationLockKey), so two daemons
// starting together apply each migration exactly once: the second waits, then
// finds nothing left to do.
//
// Migrations are append-only history: never edit one that has shipped; add
// the next version. A database whose version is newer than this build's is
// refused (kFailedPrecondition) rather than written with an older idea of the
// schema.
//
// Schema (version 1, with what later versions added):
//   call_logs             PARTITION BY LIST (node); one partition per node,
//                         created on first use by PgCallLogStore. Columns are
//                         the row columns of projection::RowColumns(), in
//                         that order (version 5 appended evidence and
//                         end_reason). Indexes live on the parent so every
//                         partition inherits them.
//   projector_checkpoint  one row per node: the last applied ledger seq.
//   missed_open           (version 4) the open missed calls, pg_missed_open.h.
#pragma once

#include <pqxx/connection_base>
#include <pqxx/transaction_base>
#include <span>
#include <string_view>

#include "core/status.h"

namespace callledger::pg {

// The newest schema version this build knows.
inline constexpr int kSchemaVersion = 6;

// pg_advisory_xact_lock key held while migrating ("callledg" in ASCII).
inline constexpr long long kMigrationLockKey = 0x63616c6c6c656467LL;

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;  // one or more statements
  // Then, in the same transaction: a step that fills new tables from the
  // data (nullptr: none). Code rather than SQL where the store keeps the
  // same data up to date later, so that both use one definition.
  void (*fill)(pqxx::transaction_base& tx) = nullptr;
};

// Every migration, in version order (versions 1..kSchemaVersion).
std::span<const Migration> Migrations();

// Applies the migrations `conn`'s database lacks. Returns OK, or
// kFailedPrecondition when the database's schema is newer than this build.
// Database errors are thrown as pqxx exceptions; the caller
// (PgCallLogStore) translates them into a Status.
Status Migrate(pqxx::connection_base& conn);

}  // namespace callledger::pg
