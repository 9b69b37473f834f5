#include "server/worker_pool.h"

namespace callledger::server {

WorkerPool::WorkerPool(std::size_t threads, ReaderFactory make_reader)
    : make_reader_(std::move(make_reader)), pool_(threads ? threads : 1) {}

void WorkerPool::Join() { pool_.join(); }

std::unique_ptr<CallLogReader> WorkerPool::Borrow() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto reader = std::move(idle_.back());
      idle_.pop_back();
      return reader;
    }
  }
  // Outside the lock: opening a reader may take a database round trip.
  return make_reader_();
}

void WorkerPool::Return(std::unique_ptr<CallLogReader> reader) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(reader));
}

}  // namespace callledger::server
