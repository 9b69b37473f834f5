// Building a node's next call_logs partition for a rebuild, on several
// connections at once (internal to pg/; PgCallLogStore::ReplaceAll swaps
// the result in).
//
// The table is created and committed first, under a name no reader uses
// (<partition>_new_<random hex>) and not attached to call_logs, so that
// other connections can work on it: the rows are COPYed (in binary, on one
// connection: two COPYs into one new table were not faster than one), and
// then call_logs' indexes are built, each on whichever connection is free
// next. Building the indexes is most of a rebuild's write phase, CPU work in
// the PostgreSQL backends (one sort per index), and one backend runs on one
// core (docs/benchmarks.md).
//
// Because the new table is committed before the swap, a rebuild that dies
// in between leaves it behind; Build removes such tables first. Callers serialize rebuilds (PgCallLogStore holds
// a session advisory lock for the whole of one).
//
// Errors are libpqxx exceptions (the store's Guard turns them into a
// Status); Build drops the half-built table before it rethrows when it can.
// Not thread-safe; it runs its helper connections on threads of its own.
#pragma once

#include <pqxx/connection>
#include <span>
#include <string>
#include <vector>

#include "core/call_row.h"

namespace callledger::pg {

struct PartitionBuildOptions {
  std::string dsn;               // for the extra connections
  std::string application_name;  // reported in pg_stat_activity
  int connections = 2;           // including the store's own; 1 = no helpers
};

class PartitionBuilder {
 public:
  // `main` is the store's connection, idle (no transaction open).
  PartitionBuilder(pqxx::connection& main, PartitionBuildOptions options);

  // Creates `fresh` for `node` (the parent's columns and defaults, its
  // CHECK constraints, and a CHECK on the node so that ATTACH skips its
  // validation scan), fills it with `rows` and builds the parent's primary
  // key and indexes on it, named <fresh>_<suffix of the parent's index
  // name>. First it drops the tables named <partition>_new_... that are not
  // partitions of call_logs: what a rebuild that died before its swap left.
  // Every step is committed; on an error `fresh` is dropped again.
  void Build(const std::string& partition, const std::string& fresh, const std::string& node,
             std::span<const CallRow* const> rows);

  // Drops `table` if it exists; errors are swallowed (the next Build
  // removes what this could not).
  void DropQuietly(const std::string& table) noexcept;

 private:
  pqxx::connection& main_;
  const PartitionBuildOptions options_;
};

}  // namespace callledger::pg
