#include "daemon/projection_loop.h"

#include <spdlog/spdlog.h>

namespace callledger::daemon {

ProjectionLoop::ProjectionLoop(const EventLog& log, StoreOpener open_store,
                               ProjectionLoopOptions options)
    : log_(log), open_store_(std::move(open_store)), options_(options) {}

ProjectionLoop::~ProjectionLoop() { Stop(); }

void ProjectionLoop::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void ProjectionLoop::Notify() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

void ProjectionLoop::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + deadline;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProjectionLoop::Loop() {
  auto backoff = options_.backoff_initial;
  bool reported_down = false;
  while (true) {
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
      if (stopping && std::chrono::steady_clock::now() > stop_deadline_) break;
    }
    Status status;
    if (!store_) {
      auto opened = open_store_();
      if (opened.ok()) {
        store_ = std::move(opened.value());
        runner_ = std::make_unique<projection::ProjectionRunner>(
            log_, *store_,
            projection::RunnerOptions{options_.batch_records, options_.on_committed});
      } else {
        status = opened.status();
      }
    }
    if (runner_) {
      auto applied = runner_->CatchUp();
      status = applied.ok() ? Status::Ok() : applied.status();
      stats_.checkpoint = runner_->checkpoint().value;
    }
    if (status.ok()) {
      if (reported_down)
        spdlog::info("PostgreSQL is back; call log caught up to seq {}", stats_.checkpoint.load());
      reported_down = false;
      stats_.store_up = true;
      backoff = options_.backoff_initial;
      if (stopping) break;
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, options_.poll, [&] { return wake_ || stopping_; });
      wake_ = false;
      continue;
    }
    ++stats_.store_errors;
    if (status.code() == Code::kAborted) {
      spdlog::info("call log checkpoint moved (a rebuild ran?): {}; reloading", status.message());
      continue;
    }
    stats_.store_up = false;
    if (!reported_down) {
      spdlog::error(
          "projecting into PostgreSQL failed: {}; the ledger keeps recording, retrying with "
          "backoff",
          status.ToString());
      reported_down = true;
    }
    if (stopping) break;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, backoff, [&] { return stopping_; });
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

}  // namespace callledger::daemon
