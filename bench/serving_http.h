// The HTTP side of serving_bench: a blocking HTTP/1.1 keep-alive client
// (Boost.Beast) and latency statistics. Requests go through a real socket to
// the server under test, so a measurement includes everything a browser's
// request costs on loopback: parsing, the worker hop, PostgreSQL, writing.
//
// Errors: kUnavailable when the connection fails or breaks (the server
// closed it, or a streamed body ended without its last chunk).
// Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace callledger::bench {

class ApiClient {
 public:
  struct Reply {
    int status = 0;
    std::string body;
  };
  // A body read and dropped piece by piece (a CSV export of a million rows
  // need not sit in memory).
  struct Streamed {
    int status = 0;
    std::uint64_t bytes = 0;
    std::uint64_t lines = 0;  // CRLF-terminated lines
    bool complete = true;     // false: cut off at the time limit
  };

  static Result<std::unique_ptr<ApiClient>> Connect(const std::string& host, std::uint16_t port);
  ~ApiClient();

  Result<Reply> Get(const std::string& target);
  // Gives up after `limit` with what arrived so far (complete = false); the
  // client is then closed.
  Result<Streamed> GetCounting(const std::string& target, std::chrono::seconds limit);

 private:
  class Impl;
  explicit ApiClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct LatencySummary {
  std::size_t n = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentiles (p99 of 2000 samples is the 1980th smallest).
LatencySummary Summarize(std::vector<double> ms);

}  // namespace callledger::bench
