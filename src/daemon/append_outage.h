// What the operator is told while the ledger takes no records (a full disk,
// a failing device): one line when the first append fails, a reminder at
// most once a minute while it goes on, and one line when an append succeeds
// again, instead of a line per retry. Ingest logs the lines; this class only
// keeps the episode and words them.
//
// Not thread-safe: the appender thread owns it. The time points come from
// the caller (a steady clock), so tests can place them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"

namespace callledger::daemon {

class AppendOutage {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kRemindEvery{60};

  // What the appender holds while it retries: the failed batch and what is
  // queued behind it, the queue's bound, and the longest retry interval.
  struct Held {
    std::size_t batch = 0;
    std::size_t queued = 0;
    std::size_t queue_bound = 0;
    std::chrono::milliseconds retry_max{0};
  };

  // An append failed at `now`: the line to log as an error, or nullopt when
  // this episode was told less than kRemindEvery ago.
  std::optional<std::string> Failed(const Status& why, const Held& held, Clock::time_point now);
  // An append of `records` succeeded at `now`, with `queued` behind it: the
  // line that ends an episode, or nullopt when there was none.
  std::optional<std::string> Appended(std::size_t records, std::size_t queued,
                                      Clock::time_point now);

  bool active() const { return since_.has_value(); }

 private:
  std::optional<Clock::time_point> since_;
  Clock::time_point told_at_;
  std::uint64_t failures_ = 0;
};

}  // namespace callledger::daemon
