#include "server/health.h"

#include <boost/json.hpp>

namespace callledger::server {

HttpResponse HealthResponse(const HealthReport& r, double max_lag_seconds) {
  namespace json = boost::json;
  json::array problems;
  if (!r.ari_connected) problems.push_back("ARI is not connected");
  if (!r.ledger_writable) problems.push_back("the last ledger append failed");
  if (!r.postgres_reachable) problems.push_back("PostgreSQL is not reachable");
  if (r.projector_lag_seconds > max_lag_seconds) {
    problems.push_back(json::value("the call log is " + std::to_string(r.projector_lag_seconds) +
                                   " s behind the ledger"));
  }
  json::object body;
  body["status"] = problems.empty() ? "ok" : "unhealthy";
  body["problems"] = problems;
  body["ari_connected"] = r.ari_connected;
  body["ledger_writable"] = r.ledger_writable;
  body["postgres_reachable"] = r.postgres_reachable;
  body["ledger_head"] = r.ledger_head;
  body["projected_seq"] = r.projected_seq;
  body["projector_lag_records"] =
      r.ledger_head >= r.projected_seq ? r.ledger_head - r.projected_seq : 0;
  // Whole milliseconds: Boost.JSON writes doubles as "1.5E0".
  body["projector_lag_ms"] = static_cast<std::int64_t>(r.projector_lag_seconds * 1000);
  return {problems.empty() ? 200 : 503, "application/json", json::serialize(body) + "\n", {}, {}};
}

}  // namespace callledger::server
