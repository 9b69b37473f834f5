// The live feed's messages (`WS /api/live`, DESIGN 6), as pure functions:
//
//   {"type":"snapshot","seq":N,"calls":[row...]}     first, on connect:
//        the unfinished calls as of checkpoint N
//   {"type":"changes","seq":N,"changes":[...]}      then one per committed
//        batch, N its checkpoint; each change is {"op":"upsert","call":row}
//        or {"op":"delete","node":..,"call_id":..}
//
// A client applies changes with seq > its snapshot's seq in order; rows are
// the JSON of projection::RowsToJson. The socket plumbing (bounded queue
// per client, one write in flight, slow clients cut off) is in
// live_session.h.
#pragma once

#include <string>
#include <vector>

#include "core/call_log_reader.h"
#include "core/call_row.h"

namespace callledger::server {

std::string SnapshotMessage(const LiveCalls& live);
std::string ChangesMessage(Seq checkpoint, const std::vector<RowChange>& changes);

}  // namespace callledger::server
