#include "daemon_runs.h"

#include <algorithm>

#include "projection/row_format.h"

namespace callledger::testing {

std::vector<std::string> DaemonEnv(const std::string& address, const TestDatabase& db,
                                   const TempDir& dir, const std::string& node) {
  return {"ARI_URL=http://" + address,
          "ARI_USER=backend",
          "ARI_PASSWORD=CallCenter2025",
          "DATABASE_URL=" + db.dsn(),
          "LEDGER_DIR=" + (dir / "ledger").string(),
          "NODE_NAME=" + node,
          "HTTP_LISTEN=127.0.0.1:0"};
}

std::string Comparable(const std::vector<CallRow>& rows) {
  std::vector<CallRow> sorted = rows;
  std::sort(sorted.begin(), sorted.end(),
            [](const CallRow& a, const CallRow& b) { return a.call_id < b.call_id; });
  std::string out;
  for (const auto& r : sorted) {
    for (const auto& [k, v] : projection::RowFields(r)) {
      if (k == "node" || k == "first_seq" || k == "last_seq") continue;
      out += k + "=" + v + " ";
    }
    out += "\n";
  }
  return out;
}

}  // namespace callledger::testing
