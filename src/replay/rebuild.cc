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

Result<RebuildReport> Rebuild(const EventLog& log, CallLogStore& store,
                              const RebuildOptions& rebuild) {
  RebuildReport report;
  const Seq head = log.Head().seq;
  const std::string node = log.Info().node;
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<RowReplacement> replacement, store.BeginReplace(node));
  FoldOptions options;
  options.progress = rebuild.progress;
  options.settle_after_records = rebuild.settle_after_records;
  options.hand_out_rows = rebuild.hand_out_rows;
  options.settled = [&](std::vector<CallRow> rows) {
    report.rows_early += rows.size();
    return replacement->Add(std::move(rows));
  };
  ASSIGN_OR_RETURN(const FoldResult fold, FoldLedger(log, head, options));
  report.fold_seconds = Since(start);
  start = std::chrono::steady_clock::now();
  // What the store has not been given yet: the rows not handed out as they
  // are now (not settled, or changed since).
  RETURN_IF_ERROR(replacement->Finish(fold.rows, fold.withdrawn, head));
  report.write_seconds = Since(start);
  // The rows are live; statistics follow (a failure loses nothing, but say so).
  start = std::chrono::steady_clock::now();
  if (Status s = store.RefreshStatistics(node); !s.ok()) {
    report.statistics_error = s.ToString();
  }
  report.statistics_seconds = Since(start);
  report.records = fold.records;
  report.skipped = fold.skipped;
  report.rows = fold.row_count;
  report.withdrawn = fold.withdrawn.size();
  report.checkpoint = head;
  return report;
}

Result<CheckReport> Check(const EventLog& log, CallLogStore& store, const FoldProgress& progress) {
  CheckReport report;
  const std::string node = log.Info().node;
  // The table first, at one moment (its rows as of its checkpoint), then
  // the ledger folded to that checkpoint: a table the daemon is writing
  // meanwhile moves on, but not under this comparison.
  ASSIGN_OR_RETURN(const CheckpointRows snapshot, store.RowsAtCheckpoint(node));
  report.checkpoint = snapshot.checkpoint;
  if (snapshot.checkpoint > log.Head().seq) {
    return Aborted("the table's checkpoint (seq " + std::to_string(snapshot.checkpoint.value) +
                   ") is beyond the ledger's head as opened (seq " +
                   std::to_string(log.Head().seq.value) + "); open the ledger again");
  }
  FoldOptions options;
  options.progress = progress;
  ASSIGN_OR_RETURN(const FoldResult fold, FoldLedger(log, snapshot.checkpoint, options));
  const std::vector<CallRow>* want = &fold.rows;
  const std::vector<CallRow>* have = &snapshot.rows;
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
        report.differences.push_back("call_id=" + w.call_id + ": " + wf[i].first + " is " +
                                     hf[i].second + " in the table, " + wf[i].second +
                                     " from the ledger");
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
