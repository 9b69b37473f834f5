// The call log the route tests (server/routes_*_test.cc) query: a test
// database holding every captured observer session projected under two
// nodes, plus synthetic rows, and the API's request -> response function in
// front of it (server::HandleApiRequest with a PgCallLogReader). Catch2
// assertions: use it from a test.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/call_row.h"
#include "pg/pg_call_log_reader.h"
#include "server/routes.h"
#include "support/pg_test_db.h"

namespace callledger::testing {

using Key = std::pair<std::string, std::string>;  // (call_id, node)

// Percent-encodes every byte but [A-Za-z0-9-_.].
std::string Encode(const std::string& s);

// Every captured observer session projected under two nodes (so every
// call_id and start time exists twice), plus synthetic rows: a number with
// '+', a recording, equal start times, and a call without a start time.
class Ledger {
 public:
  // The rows are in rows(), newest first: start DESC (no start last),
  // call_id DESC, node DESC, bytewise.
  Ledger();

  server::HttpResponse Get(const std::string& target);
  server::HttpResponse Send(const server::HttpRequest& request);
  // GET `target`, REQUIREd to answer `want_status` with JSON.
  boost::json::value GetJson(const std::string& target, int want_status = 200);

  // Follows next_cursor from `query` to the end; checks page sizes.
  std::vector<Key> WalkAll(const std::string& query, int limit);

  // The keys of the rows `keep` selects, newest first.
  std::vector<Key> Expected(const std::function<bool(const CallRow&)>& keep) const;

  std::string Count() const { return db_.Exec("SELECT count(*) FROM call_logs"); }

  const std::vector<CallRow>& rows() const { return rows_; }
  const TestDatabase& db() const { return db_; }

 private:
  TestDatabase db_;
  pg::PgCallLogReader reader_;
  std::vector<CallRow> rows_;  // newest first
};

}  // namespace callledger::testing
