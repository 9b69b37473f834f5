// ProjectionLoop: keeps PostgreSQL's call log caught up with the ledger in
// the daemon, on its own thread. Woken by every append (Notify) and every
// `poll` otherwise; when PostgreSQL is down it backs off (exponentially, to
// `backoff_max`) and catches up when it returns; the ledger keeps recording
// meanwhile (DESIGN section 5).
//
// The store is opened lazily inside the loop (`open_store`), so a daemon
// started while PostgreSQL is down still records and projects later.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/call_log_store.h"
#include "core/event_log.h"
#include "projection/runner.h"

namespace callledger::daemon {

struct ProjectionLoopOptions {
  std::size_t batch_records = 1000;
  std::chrono::milliseconds poll{200};
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{5000};
  // See projection::RunnerOptions::on_committed.
  std::function<void(Seq checkpoint, const std::vector<RowChange>& changes)> on_committed;
};

struct ProjectionStats {
  std::atomic<std::uint64_t> checkpoint{0};
  std::atomic<std::uint64_t> store_errors{0};
  std::atomic<bool> store_up{false};
};

class ProjectionLoop {
 public:
  using StoreOpener = std::function<Result<std::unique_ptr<CallLogStore>>()>;

  ProjectionLoop(const EventLog& log, StoreOpener open_store, ProjectionLoopOptions options = {});
  ~ProjectionLoop();

  void Start();
  // Wakes the loop (after an append). Thread-safe, never blocks.
  void Notify();
  // Makes one last attempt to catch up (bounded by `deadline`), then stops.
  void Stop(std::chrono::milliseconds deadline = std::chrono::milliseconds(1500));

  const ProjectionStats& stats() const { return stats_; }

 private:
  void Loop();

  const EventLog& log_;
  StoreOpener open_store_;
  ProjectionLoopOptions options_;
  ProjectionStats stats_;
  std::unique_ptr<CallLogStore> store_;
  std::unique_ptr<projection::ProjectionRunner> runner_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  std::thread thread_;
};

}  // namespace callledger::daemon
