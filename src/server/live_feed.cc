#include "server/live_feed.h"

#include <boost/json.hpp>

#include "projection/row_format.h"

namespace callledger::server {

std::string SnapshotMessage(const LiveCalls& live) {
  std::string out =
      "{\"type\":\"snapshot\",\"seq\":" + std::to_string(live.checkpoint.value) + ",\"calls\":[";
  for (std::size_t i = 0; i < live.calls.size(); ++i)
    out += (i ? "," : "") + projection::RowToJson(live.calls[i]);
  return out + "]}";
}

std::string ChangesMessage(Seq checkpoint, const std::vector<RowChange>& changes) {
  std::string out =
      "{\"type\":\"changes\",\"seq\":" + std::to_string(checkpoint.value) + ",\"changes\":[";
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const RowChange& c = changes[i];
    out += i ? "," : "";
    if (c.op == RowChange::Op::kUpsert) {
      out += "{\"op\":\"upsert\",\"call\":" + projection::RowToJson(c.row) + "}";
    } else {
      out +=
          "{\"op\":\"delete\",\"node\":" + boost::json::serialize(boost::json::value(c.row.node)) +
          ",\"call_id\":" + boost::json::serialize(boost::json::value(c.row.call_id)) + "}";
    }
  }
  return out + "]}";
}

}  // namespace callledger::server
