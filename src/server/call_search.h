// Reads of the call log for the HTTP API: one page of a search, one call.
// SQL with bound parameters only; the caller's connection, not owned.
//
// Order: newest first by (start_time DESC, call_id DESC, node DESC), text
// compared bytewise (COLLATE "C"); rows without a start time come last.
// A page holds at most query.limit rows; next_cursor is set only when more
// rows follow (one extra row is fetched to know).
//
// Errors (libpqxx exceptions never escape):
//   kUnavailable  the connection is broken or the server refuses work for
//                 now (shutting down, out of resources); retry later.
//   kDataLoss     a stored value this build cannot read.
//   kInternal     anything else (e.g. no call_logs table: not migrated).
//
// Not thread-safe: a pqxx::connection is used by one thread at a time.
#pragma once

#include <optional>
#include <pqxx/connection>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_row.h"
#include "core/status.h"
#include "server/call_query.h"

namespace callledger::server {

struct CallPage {
  std::vector<CallRow> items;
  std::optional<std::string> next_cursor;  // EncodeCursor of the last item
};

Result<CallPage> SearchCalls(pqxx::connection& conn, const CallQuery& query);

// The row with this call_id on any node; the newest if several nodes have
// one. nullopt when there is none.
Result<std::optional<CallRow>> FindCall(pqxx::connection& conn, std::string_view call_id);

}  // namespace callledger::server
