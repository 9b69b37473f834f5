// CallLogReader: the port through which the HTTP API reads the call log
// (PostgreSQL in production: pg/pg_call_log_reader.h). Reads only; the
// projection writes through CallLogStore (core/call_log_store.h).
//
// Errors:
//   kInvalidInput       a value the database cannot be asked about
//                       (the caller validated parameters; this is a bug
//                       or hostile input that slipped through)
//   kUnavailable        the database cannot be reached or refuses work for
//                       now; retry later (a broken connection is reopened
//                       by the next call)
//   kDataLoss           a stored value this build cannot read
//   kInternal           anything else (e.g. the schema is missing)
//
// Not thread-safe: one caller at a time (a server keeps one per worker).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_query.h"
#include "core/call_row.h"
#include "core/call_stats.h"
#include "core/record.h"
#include "core/status.h"

namespace callledger {

struct CallPage {
  std::vector<CallRow> items;
  // Where the next page starts; set only when more rows follow.
  std::optional<CallCursor> next;
};

// The calls of a node that are not finished, and the checkpoint they are
// consistent with (read in one snapshot): every later change has a larger seq.
struct LiveCalls {
  Seq checkpoint;
  std::vector<CallRow> calls;
};

class CallLogReader {
 public:
  virtual ~CallLogReader() = default;

  // One page of matching rows, newest first (core/call_query.h order).
  virtual Result<CallPage> Search(const CallQuery& query) = 0;

  // The row with this call_id on any node; the newest if several nodes
  // have one. nullopt when there is none.
  virtual Result<std::optional<CallRow>> Find(std::string_view call_id) = 0;

  // Unfinished calls of `node`, oldest first, with the node's checkpoint.
  virtual Result<LiveCalls> Live(std::string_view node) = 0;

  virtual Result<CallStats> Stats(const StatsQuery& query) = 0;
  // The period's calls in groups (core/call_stats.h, StatsGroupFigures).
  virtual Result<GroupedStats> Grouped(const GroupedStatsQuery& query) = 0;
  // Each agent's calls over the period and what it is doing now.
  virtual Result<AgentList> Agents(const AgentsQuery& query) = 0;
  virtual Result<MissedList> Missed(const MissedQuery& query) = 0;
};

}  // namespace callledger
