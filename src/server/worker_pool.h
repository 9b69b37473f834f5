// WorkerPool: where the HTTP server's database reads run, so that the
// server's own thread never waits on PostgreSQL and a slow query never
// stalls the other connections.
//
// A coroutine on the server's thread co_awaits Run(work): `work` runs on one
// of the pool's threads with a CallLogReader of its own, and the coroutine
// resumes on its own executor with what `work` returned.
//
// Readers: made by `make_reader` on a worker, the first time no idle one is
// left, and kept for later requests. A reader is used by one worker at a time,
// so there are never more readers than threads.
//
// Threads: Run() may be awaited from any coroutine; Join() is called once,
// after the server's thread has ended (no Run() may start after it).
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

#include "core/call_log_reader.h"
#include "server/asio_names.h"

namespace callledger::server {

class WorkerPool {
 public:
  using ReaderFactory = std::function<std::unique_ptr<CallLogReader>()>;

  // `threads` 0 means 1.
  WorkerPool(std::size_t threads, ReaderFactory make_reader);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `work(reader)` on a worker and resumes the caller with the result.
  // `work` is borrowed by reference until then: the caller's frame holds it.
  template <typename F>
  awaitable<std::invoke_result_t<F&, CallLogReader&>> Run(F work) {
    using R = std::invoke_result_t<F&, CallLogReader&>;
    std::optional<R> out = co_await net::co_spawn(
        pool_,
        [this, &work]() -> awaitable<std::optional<R>> {
          std::unique_ptr<CallLogReader> reader = Borrow();
          std::optional<R> r(work(*reader));
          Return(std::move(reader));
          co_return r;
        },
        net::use_awaitable);
    co_return std::move(*out);
  }

  // Waits for the work in flight to end and the threads to exit.
  void Join();

 private:
  std::unique_ptr<CallLogReader> Borrow();
  void Return(std::unique_ptr<CallLogReader> reader);

  ReaderFactory make_reader_;
  net::thread_pool pool_;
  std::mutex mu_;
  std::vector<std::unique_ptr<CallLogReader>> idle_;  // guarded by mu_
};

}  // namespace callledger::server
