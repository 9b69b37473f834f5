#include "daemon/append_outage.h"

#include <cstdio>

namespace callledger::daemon {
namespace {

std::string Seconds(AppendOutage::Clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", std::chrono::duration<double>(d).count());
  return text;
}

}  // namespace

std::optional<std::string> AppendOutage::Failed(const Status& why, const Held& held,
                                                Clock::time_point now) {
  ++failures_;
  const std::string holding = "holding " + std::to_string(held.batch + held.queued) +
                              " records in memory (" + std::to_string(held.batch) +
                              " in the batch, " + std::to_string(held.queued) + " queued)";
  if (!since_) {
    since_ = now;
    told_at_ = now;
    return "ledger append failed: " + why.ToString() + "; " + holding + ", retrying every " +
           std::to_string(held.retry_max.count()) +
           " ms at most; frames keep being received and are appended in order once the "
           "ledger takes records again (beyond " +
           std::to_string(held.queue_bound) +
           " queued frames they are counted and dropped, with an overflow gap record)";
  }
  if (now - told_at_ < kRemindEvery) return std::nullopt;
  told_at_ = now;
  return "ledger still takes no records after " + Seconds(now - *since_) + " s (" +
         std::to_string(failures_) + " attempts): " + why.ToString() + "; " + holding;
}

std::optional<std::string> AppendOutage::Appended(std::size_t records, std::size_t queued,
                                                  Clock::time_point now) {
  if (!since_) return std::nullopt;
  std::string line = "ledger writable again after " + Seconds(now - *since_) + " s (" +
                     std::to_string(failures_) + " failed attempts); appended the " +
                     std::to_string(records) + " held records of the batch, " +
                     std::to_string(queued) + " queued records follow";
  since_.reset();
  failures_ = 0;
  return line;
}

}  // namespace callledger::daemon
