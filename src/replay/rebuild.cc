#include "replay/rebuild.h"

#include <chrono>
#include <map>

#include "projection/row_format.h"

namespace callledger::replay {
namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Result<RebuildReport> Rebuild(const EventLog& log, CallLogStore& store, const FoldProgress& progress) {
  RebuildReport report;
  const Seq head = log.Head().seq;
  auto start = std::chrono::steady_clock::now();
  auto rows = FoldLedger(log, head, progress, &report.records, &report.skipped);
  if (!rows.ok()) return rows.status();
  report.fold_seconds = Since(start);
  start = std::chrono::steady_clock::now();
  if (Status s = store.ReplaceAll(log.Info().node, rows.value(), head); !s.ok()) return s;
  report.write_seconds = Since(start);
  // The rows are live; statistics follow (a failure loses nothing, but say so).
  start = std::chrono::steady_clock::now();
  if (Status s = store.RefreshStatistics(log.Info().node); !s.ok()) {
    report.statistics_error = s.ToString();
  }
  report.statistics_seconds = Since(start);
  report.rows = rows->size();
  report.checkpoint = head;
  return report;
}

Result<CheckReport> Check(const EventLog& log, CallLogStore& store, const FoldProgress& progress) {
  CheckReport report;
  const std::string node = log.Info().node;
  Result<Seq> cp = store.Checkpoint(node);
  if (!cp.ok()) return cp.status();
  report.checkpoint = *cp;
  if (cp.value() > log.Head().seq) {
    return FailedPrecondition("the table's checkpoint (seq " + std::to_string(cp->value) +
                              ") is beyond the ledger's head (seq " + std::to_string(log.Head().seq.value) + ")");
  }
  auto want = FoldLedger(log, *cp, progress, nullptr, nullptr);
  if (!want.ok()) return want.status();
  auto have = store.AllRows(node);
  if (!have.ok()) return have.status();
  report.ledger_rows = want->size();
  report.table_rows = have->size();
  std::map<std::string, const CallRow*> table;
  for (const auto& r : *have) table[r.call_id] = &r;
  for (const auto& w : *want) {
    auto it = table.find(w.call_id);
    if (it == table.end()) {
      report.differences.push_back("call_id=" + w.call_id + ": missing from the table");
      continue;
    }
    const auto wf = projection::RowFields(w);
    const auto hf = projection::RowFields(*it->second);
    for (std::size_t i = 0; i < wf.size(); ++i) {
      if (wf[i].second != hf[i].second) {
        report.differences.push_back("call_id=" + w.call_id + ": " + wf[i].first + " is " + hf[i].second +
                                     " in the table, " + wf[i].second + " from the ledger");
      }
    }
    table.erase(it);
  }
  for (const auto& [id, row] : table) {
    report.differences.push_back("call_id=" + id + ": in the table but not produced by the ledger");
  }
  return report;
}

}  // namespace callledger::replay
