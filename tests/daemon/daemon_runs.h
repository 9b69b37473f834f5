// How the daemon's end-to-end tests (streams_, outages_ and
// guards_e2e_test.cc) run call-ledgerd against ari-sim over plain HTTP, and
// compare the rows it wrote with the rows `ledger-replay fixture` gives.
#pragma once

#include <string>
#include <vector>

#include "core/call_row.h"
#include "support/pg_test_db.h"
#include "support/temp_dir.h"

namespace callledger::testing {

// call-ledgerd's environment: ari-sim at `address` with the lab's
// credentials, the database `db`, the ledger in `dir`/ledger, the node name
// `node` and the HTTP server on a free port. Tests replace entries by index
// (2: ARI_PASSWORD, 3: DATABASE_URL), so the order is part of the contract.
std::vector<std::string> DaemonEnv(const std::string& address, const TestDatabase& db,
                                   const TempDir& dir, const std::string& node);

// Every column but node and the seqs (the daemon's ledger also holds its
// own note, gap and reconcile records, so its seqs are shifted): one line a
// row, the rows sorted by call id.
std::string Comparable(const std::vector<CallRow>& rows);

}  // namespace callledger::testing
