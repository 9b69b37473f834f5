#include "replay/rebuild.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "projection/record_projector.h"
#include "projection/row_format.h"
#include "record/record_codec.h"

namespace callledger::replay {
namespace {
double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

Result<std::vector<CallRow>> FoldLedger(const EventLog& log, Seq to, const FoldProgress& progress,
                                        std::uint64_t* records, std::uint64_t* skipped) {
  // Two stages on two threads: this thread applies records in seq order;
  // a producer scans and decodes them (pure, per record) a few batches
  // ahead. Batches and their DecodedRecords are recycled, so their buffers
  // are allocated once.
  constexpr std::size_t kBatchRecords = 512;
  constexpr std::size_t kBuffers = 4;
  struct Batch {
    std::vector<projection::DecodedRecord> records{kBatchRecords};
    std::size_t size = 0;
  };
  std::vector<Batch> buffers(kBuffers);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::size_t> full, empty;
  for (std::size_t i = 0; i < kBuffers; ++i) empty.push_back(i);
  bool producer_done = false, consumer_stopped = false;
  Status producer_status;

  std::thread producer([&] {
    projection::RecordDecoder decoder;
    auto take_empty = [&]() -> std::optional<std::size_t> {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return !empty.empty() || consumer_stopped; });
      if (consumer_stopped) return std::nullopt;
      const std::size_t b = empty.front();
      empty.pop_front();
      return b;
    };
    auto publish = [&](std::size_t b) {
      std::lock_guard lock(mu);
      full.push_back(b);
      cv.notify_all();
    };
    std::optional<std::size_t> cur = take_empty();
    Status scan = cur ? log.ScanEncoded(Seq{1}, to, [&](Seq key, std::string_view bytes) {
      Result<RecordView> r = DecodeRecordView(bytes);
      if (!r.ok()) {
        producer_status = DataLoss("seq " + std::to_string(key.value) + ": " + r.status().message());
        return false;
      }
      Batch& batch = buffers[*cur];
      decoder.Decode(*r, &batch.records[batch.size++]);
      if (batch.size == kBatchRecords) {
        publish(*cur);
        cur = take_empty();
        if (!cur) return false;
      }
      return true;
    }) : Status::Ok();
    std::lock_guard lock(mu);
    if (!scan.ok() && producer_status.ok()) producer_status = scan;
    if (cur && buffers[*cur].size > 0) full.push_back(*cur);
    producer_done = true;
    cv.notify_all();
  });

  projection::RecordProjector projector(log.Info().node);
  std::map<std::string, CallRow> rows;
  std::vector<RowChange> changes;
  std::uint64_t n = 0;
  while (true) {
    std::size_t b;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return !full.empty() || producer_done; });
      if (full.empty()) break;
      b = full.front();
      full.pop_front();
    }
    Batch& batch = buffers[b];
    for (std::size_t i = 0; i < batch.size; ++i) {
      changes.clear();
      projector.ApplyDecoded(batch.records[i], &changes);
      for (auto& ch : changes) {
        if (ch.op == RowChange::Op::kDelete) {
          rows.erase(ch.row.call_id);
        } else {
          rows[ch.row.call_id] = std::move(ch.row);
        }
      }
      if (++n % 65536 == 0 && progress) progress(batch.records[i].seq, to);
    }
    batch.size = 0;
    std::lock_guard lock(mu);
    empty.push_back(b);
    cv.notify_all();
  }
  {
    std::lock_guard lock(mu);
    consumer_stopped = true;
    cv.notify_all();
  }
  producer.join();
  if (!producer_status.ok()) return producer_status;
  if (records != nullptr) *records = n;
  if (skipped != nullptr) *skipped = projector.skipped();
  std::vector<CallRow> out;
  out.reserve(rows.size());
  for (auto& [k, row] : rows) out.push_back(std::move(row));
  return out;
}

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
