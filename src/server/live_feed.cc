#include "server/live_feed.h"

#include <boost/json.hpp>

#include "projection/row_format.h"

namespace callledger::server {
namespace {

// One row object as RowsToJson writes it (without the array around it).
std::string RowObject(const CallRow& row) {
  std::string text = projection::RowsToJson({row});
  const auto open = text.find('{');
  const auto close = text.rfind('}');
  return text.substr(open, close - open + 1);
}

}  // namespace

std::string SnapshotMessage(const LiveCalls& live) {
  std::string out = "{\"type\":\"snapshot\",\"seq\":" + std::to_string(live.checkpoint.value) + ",\"calls\":[";
  for (std::size_t i = 0; i < live.calls.size(); ++i) out += (i ? "," : "") + RowObject(live.calls[i]);
  return out + "]}";
}

std::string ChangesMessage(Seq checkpoint, const std::vector<RowChange>& changes) {
  std::string out = "{\"type\":\"changes\",\"seq\":" + std::to_string(checkpoint.value) + ",\"changes\":[";
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const RowChange& c = changes[i];
    out += i ? "," : "";
    if (c.op == RowChange::Op::kUpsert) {
      out += "{\"op\":\"upsert\",\"call\":" + RowObject(c.row) + "}";
    } else {
      out += "{\"op\":\"delete\",\"node\":" + boost::json::serialize(boost::json::value(c.row.node)) +
             ",\"call_id\":" + boost::json::serialize(boost::json::value(c.row.call_id)) + "}";
    }
  }
  return out + "]}";
}

}  // namespace callledger::server
