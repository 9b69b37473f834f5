// Crash safety of the RocksDB log: a child process (support/crash_appender.cc)
// appends captured frames and reports each batch's last seq after Append
// returns; the test SIGKILLs it after a random delay, reopens the ledger and
// checks that it verifies, that every reported seq survived, and that every
// record holds the frame the child meant to store there. Rounds repeat on the
// same directory, so later rounds append to a ledger that has been crashed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "audit/verify.h"
#include "record/record_codec.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

#ifndef CRASH_APPENDER_PATH
#error "CRASH_APPENDER_PATH must name the crash_appender executable"
#endif

namespace callledger::store {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kRounds = 20;
constexpr unsigned kDefaultSeed = 20261126;

// The child's stdout: seqs, one per line.
class SeqReader {
 public:
  explicit SeqReader(int fd) : fd_(fd) {}

  // Reads what is available until `deadline`; returns false at EOF.
  bool ReadUntil(Clock::time_point deadline) {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return true;
      pollfd p{fd_, POLLIN, 0};
      const int ready = poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      REQUIRE(ready >= 0);
      if (ready == 0) return true;
      if (!ReadSome()) return false;
    }
  }

  // Reads until at least one seq has arrived or EOF or `deadline`.
  void ReadFirst(Clock::time_point deadline) {
    while (lines_ == 0 && Clock::now() < deadline) {
      if (!ReadUntil(std::min(deadline, Clock::now() + std::chrono::milliseconds(50)))) return;
    }
  }

  void ReadToEof() {
    while (ReadSome()) {
    }
  }

  std::uint64_t last_seq() const { return last_seq_; }
  std::uint64_t lines() const { return lines_; }
  std::uint64_t not_increasing() const { return not_increasing_; }

 private:
  // One read(); false at EOF.
  bool ReadSome() {
    char buf[4096];
    ssize_t n;
    do {
      n = read(fd_, buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    REQUIRE(n >= 0);
    if (n == 0) return false;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] != '\n') {
        partial_ += buf[i];
        continue;
      }
      const std::uint64_t seq = std::stoull(partial_);
      if (seq <= last_seq_) ++not_increasing_;  // seqs only grow
      last_seq_ = seq;
      ++lines_;
      partial_.clear();
    }
    return true;
  }

  int fd_;
  std::string partial_;  // a line cut by the kill is not a report
  std::uint64_t last_seq_ = 0;
  std::uint64_t lines_ = 0;
  std::uint64_t not_increasing_ = 0;
};

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
};

Child Spawn(const std::string& ledger_dir) {
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls.
  const std::string path = CRASH_APPENDER_PATH;
  std::vector<char*> argv = {const_cast<char*>(path.c_str()), const_cast<char*>(ledger_dir.c_str()),
                             nullptr};
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (dup2(fds[1], STDOUT_FILENO) < 0) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return Child{pid, fds[0]};
}

std::vector<std::string> CapturedFrames() {
  std::vector<std::string> frames;
  for (const auto& file : testing::CapturedStreams()) {
    for (auto& line : testing::ReadLines(file)) {
      if (!line.empty()) frames.push_back(std::move(line));
    }
  }
  return frames;
}

unsigned Seed() {
  const char* env = std::getenv("CRASH_TEST_SEED");
  return env != nullptr ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : kDefaultSeed;
}

TEST_CASE("a ledger survives SIGKILL of its writer at random moments") {
  const unsigned seed = Seed();
  WARN("crash test seed " << seed << " (set CRASH_TEST_SEED to repeat another run)");
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(5, 150);
  const std::vector<std::string> frames = CapturedFrames();
  testing::TempDir tmp("crash-test");
  const std::string dir = (tmp / "ledger").string();

  std::uint64_t previous_head = 0;
  int rounds_with_reports = 0;
  const auto test_start = Clock::now();
  for (int round = 0; round < kRounds; ++round) {
    const int delay = delay_ms(rng);
    // Most rounds start the delay once the child has appended (so the kill
    // lands mid-append); every fourth counts from the spawn, so it may land
    // while RocksDB is still opening or recovering.
    const bool from_first_append = round % 4 != 3;
    INFO("round " << round << ", kill after " << delay << " ms "
                  << (from_first_append ? "from the first append" : "from spawn"));

    Child child = Spawn(dir);
    SeqReader reader(child.out_fd);
    if (from_first_append) reader.ReadFirst(Clock::now() + std::chrono::seconds(10));
    const bool alive = reader.ReadUntil(Clock::now() + std::chrono::milliseconds(delay));
    REQUIRE(kill(child.pid, SIGKILL) == 0);
    reader.ReadToEof();
    close(child.out_fd);
    int status = 0;
    REQUIRE(waitpid(child.pid, &status, 0) == child.pid);
    // The child must have died of the kill, not of an error of its own.
    CHECK(alive);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    CHECK(reader.not_increasing() == 0);
    if (from_first_append) CHECK(reader.lines() > 0);
    if (reader.lines() > 0) ++rounds_with_reports;

    RocksOptions options;
    options.node = "crash-node";
    auto opened = RocksEventLog::Open(dir, options);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    const RocksEventLog& log = **opened;
    const LedgerHead head = log.Head();
    INFO("reported " << reader.last_seq() << ", head " << head.seq.value << ", previous head "
                     << previous_head);
    CHECK(head.seq.value >= reader.last_seq());
    CHECK(head.seq.value >= previous_head);

    Result<audit::VerifyReport> report = audit::VerifyLedger(log);
    REQUIRE(report.ok());
    INFO(report->Summary());
    CHECK(report->ok());
    CHECK(report->records == head.seq.value);

    // The records this round added hold the frames the child meant for them.
    // (Counted, not CHECKed one by one: there are tens of thousands.)
    std::uint64_t checked = 0;
    std::uint64_t wrong = 0;
    std::uint64_t first_wrong = 0;
    REQUIRE(log.ScanEncoded(Seq{previous_head + 1}, head.seq,
                            [&](Seq key, std::string_view bytes) {
                              Result<Record> r = DecodeRecord(bytes);
                              if (!r.ok() || r->node != "crash-node" ||
                                  r->payload != frames[(key.value - 1) % frames.size()]) {
                                if (wrong++ == 0) first_wrong = key.value;
                              }
                              ++checked;
                              return true;
                            })
                .ok());
    INFO("first record holding the wrong frame: seq " << first_wrong);
    CHECK(wrong == 0);
    CHECK(checked == head.seq.value - previous_head);
    previous_head = head.seq.value;
  }
  CHECK(rounds_with_reports >= kRounds / 2);
  CHECK(previous_head > 0);

  // The index, written in the same batches, agrees with the records.
  RocksOptions ro;
  ro.mode = OpenMode::kReadOnly;
  auto opened = RocksEventLog::Open(dir, ro);
  REQUIRE(opened.ok());
  const RocksEventLog& log = **opened;
  const std::string channel = "1795684640.55";
  std::vector<Seq> mentioning;
  bool all_decode = true;
  REQUIRE(log.ScanEncoded(Seq{1}, Seq{UINT64_MAX},
                          [&](Seq key, std::string_view bytes) {
                            Result<Record> r = DecodeRecord(bytes);
                            if (!r.ok()) {
                              all_decode = false;
                              return false;
                            }
                            if (std::find(r->channel_ids.begin(), r->channel_ids.end(), channel) !=
                                r->channel_ids.end()) {
                              mentioning.push_back(key);
                            }
                            return true;
                          })
              .ok());
  REQUIRE(all_decode);
  CHECK_FALSE(mentioning.empty());
  Result<std::vector<Seq>> indexed = log.Lookup(IndexKind::kChannel, channel);
  REQUIRE(indexed.ok());
  CHECK(*indexed == mentioning);
  WARN("crash test: "
       << kRounds << " rounds, " << previous_head << " records, "
       << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - test_start).count()
       << " ms");
}

}  // namespace
}  // namespace callledger::store
