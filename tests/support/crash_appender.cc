// crash_appender LEDGER_DIR: appends captured ARI frames to a RocksDB ledger
// forever, for tests/store/crash_test.cc, which SIGKILLs it at random moments.
//
// Each batch holds 1..50 frames. The frame stored as record `seq` is line
// (seq - 1) mod N of the captured streams' non-empty lines, in
// testing::CapturedStreams() order, so the test can check every record's
// payload. After each Append returns, the batch's last seq is written to
// stdout as one line and flushed: a seq on stdout is a promise that the batch
// survives the crash of this process.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "ari/frame_parser.h"
#include "ari/frame_record.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"

namespace {

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Run(const char* ledger_dir) {
  std::vector<std::string> frames;
  for (const auto& file : callledger::testing::CapturedStreams()) {
    for (auto& line : callledger::testing::ReadLines(file)) {
      if (!line.empty()) frames.push_back(std::move(line));
    }
  }
  callledger::store::RocksOptions options;
  options.node = "crash-node";
  options.sync_interval_ms = 5;
  auto opened = callledger::store::RocksEventLog::Open(ledger_dir, options);
  if (!opened.ok()) {
    std::fprintf(stderr, "crash_appender: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  callledger::EventLog& log = **opened;
  callledger::ari::FrameParser parser;
  std::mt19937 rng(static_cast<unsigned>(getpid()));
  std::uint64_t next = log.Head().seq.value + 1;
  std::vector<callledger::RecordDraft> batch;
  for (;;) {
    const std::uint64_t n = 1 + rng() % 50;
    batch.clear();
    for (std::uint64_t k = 0; k < n; ++k) {
      const std::string& frame = frames[(next - 1 + k) % frames.size()];
      batch.push_back(callledger::ari::DraftFromFrame(parser, frame, NowMicros()));
    }
    auto appended = log.Append(batch);
    if (!appended.ok()) {
      std::fprintf(stderr, "crash_appender: %s\n", appended.status().ToString().c_str());
      return 1;
    }
    if (appended->first.value != next) {
      std::fprintf(stderr, "crash_appender: expected seq %llu, got %llu\n",
                   static_cast<unsigned long long>(next),
                   static_cast<unsigned long long>(appended->first.value));
      return 1;
    }
    next = appended->last.value + 1;
    std::printf("%llu\n", static_cast<unsigned long long>(appended->last.value));
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: crash_appender LEDGER_DIR\n");
    return 2;
  }
  return Run(argv[1]);
}
