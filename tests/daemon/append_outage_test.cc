// A ledger that takes no records for a while (a full disk): the operator is
// told once when it begins, reminded at most once a minute, told when it
// ends; the appender retries on its backoff, not once per frame received,
// and every frame received meanwhile is appended, in order, afterwards.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "daemon/append_outage.h"
#include "daemon/ingest.h"
#include "forwarding_log.h"
#include "store/memory_event_log.h"
#include "support/stored_records.h"
#include "support/wait.h"

namespace callledger {
namespace {

using daemon::AppendOutage;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("an outage is told when it begins, at most once a minute, and when it ends") {
  AppendOutage outage;
  const auto t0 = AppendOutage::Clock::time_point{} + seconds(1000);
  const Status full = Unavailable("the ledger's disk is full (/l: No space left on device): x");
  const AppendOutage::Held held{1000, 250, 65536, milliseconds(2000)};

  CHECK_FALSE(outage.Appended(5, 0, t0).has_value());  // no episode, nothing to say
  auto first = outage.Failed(full, held, t0);
  REQUIRE(first.has_value());
  CHECK_THAT(*first, Catch::StartsWith("ledger append failed: unavailable: the ledger's disk is "
                                       "full (/l: No space left on device)"));
  CHECK_THAT(*first, Catch::Contains("holding 1250 records in memory (1000 in the batch, 250 "
                                     "queued), retrying every 2000 ms at most"));
  CHECK_THAT(*first, Catch::Contains("beyond 65536 queued frames"));
  CHECK(outage.active());
  for (int i = 1; i < 30; ++i) CHECK_FALSE(outage.Failed(full, held, t0 + seconds(2 * i)));
  auto reminder = outage.Failed(full, held, t0 + seconds(60));
  REQUIRE(reminder.has_value());
  CHECK_THAT(*reminder, Catch::StartsWith("ledger still takes no records after 60.0 s (31 "
                                          "attempts)"));
  CHECK_FALSE(outage.Failed(full, held, t0 + seconds(61)));
  auto back = outage.Appended(1000, 4000, t0 + milliseconds(75500));
  REQUIRE(back.has_value());
  CHECK(*back ==
        "ledger writable again after 75.5 s (32 failed attempts); appended the 1000 held "
        "records of the batch, 4000 queued records follow");
  CHECK_FALSE(outage.active());
  CHECK_FALSE(outage.Appended(10, 0, t0 + seconds(80)).has_value());
}

// Refuses every append while `full` is set, as the ledger on a full disk.
class FullLog final : public testing::ForwardingLog {
 public:
  using ForwardingLog::ForwardingLog;
  std::atomic<bool> full{false};
  std::atomic<bool> lost{false};  // takes no records in this process any more
  std::atomic<int> attempts{0};

  Result<SeqRange> Append(std::span<const RecordDraft> d) override {
    ++attempts;
    if (full) return Unavailable("the ledger's disk is full (test: No space left on device)");
    if (lost) return Aborted("the ledger test cannot be resumed in this process: test");
    return ForwardingLog::Append(d);
  }
};

std::string Frame(int n) { return R"({"type":"X","n":)" + std::to_string(n) + "}"; }

TEST_CASE("frames received while the ledger is full wait in order, and do not each cause a retry") {
  store::MemoryEventLog real("pbx");
  FullLog log(real);
  daemon::IngestOptions options;
  options.clock = [] { return std::int64_t{1795684500000000}; };
  options.batch_records = 100;
  options.retry_initial = milliseconds(20);
  options.retry_max = milliseconds(200);
  daemon::Ingest ingest(log, options);
  ingest.Start();
  for (int i = 0; i < 10; ++i) ingest.OnFrame(Frame(i));
  REQUIRE(testing::WaitUntil([&] { return real.Head().seq.value == 10; }, seconds(10),
                             "the first frames appended"));

  log.full = true;
  int sent = 10;
  ingest.OnFrame(Frame(sent++));
  REQUIRE(testing::WaitUntil([&] { return ingest.stats().append_errors.load() >= 1; }, seconds(10),
                             "the first failed append"));
  // Frames keep arriving for 400 ms while the appender waits to retry
  // (the deadline paces the test; nothing waits on it).
  const auto until = std::chrono::steady_clock::now() + milliseconds(400);
  while (std::chrono::steady_clock::now() < until && sent < 20000) {
    ingest.OnFrame(Frame(sent++));
    std::this_thread::yield();
  }
  CHECK_FALSE(ingest.stats().last_append_ok.load());
  // Retries follow the backoff (20, 40, 80, 160 ms...), not the frames.
  CHECK(log.attempts.load() < 30);
  CHECK(real.Head().seq.value == 10);

  log.full = false;
  REQUIRE(
      testing::WaitUntil([&] { return real.Head().seq.value == static_cast<std::uint64_t>(sent); },
                         seconds(10), "every frame appended once the ledger takes records"));
  CHECK(ingest.stats().last_append_ok.load());
  ingest.Stop();
  CHECK(ingest.stats().dropped == 0);
  for (int i = 0; i < sent; ++i) {
    REQUIRE(testing::DecodeStored(real, Seq{static_cast<std::uint64_t>(i + 1)}).payload ==
            Frame(i));
  }
}

// A ledger that answers kAborted (a RocksDB resume that never finished):
// the daemon is asked once to stop and start again; the appender keeps
// what it holds and goes on retrying until then.
TEST_CASE("a ledger lost to this process asks the daemon once to start again") {
  store::MemoryEventLog real("pbx");
  FullLog log(real);
  daemon::IngestOptions options;
  options.clock = [] { return std::int64_t{1795684500000000}; };
  options.retry_initial = milliseconds(10);
  options.retry_max = milliseconds(20);
  daemon::Ingest ingest(log, options);
  std::atomic<int> asked{0};
  std::string why;
  ingest.SetOnLedgerLost([&](const Status& s) {
    why = s.message();
    ++asked;
  });
  ingest.Start();
  ingest.OnFrame(Frame(0));
  REQUIRE(testing::WaitUntil([&] { return real.Head().seq.value == 1; }, seconds(10),
                             "the first frame appended"));
  log.lost = true;
  ingest.OnFrame(Frame(1));
  REQUIRE(testing::WaitUntil([&] { return asked.load() == 1; }, seconds(10), "the stop asked"));
  const int attempts = log.attempts.load();
  ingest.OnFrame(Frame(2));
  REQUIRE(testing::WaitUntil([&] { return log.attempts.load() >= attempts + 3; }, seconds(10),
                             "more attempts"));
  CHECK(asked.load() == 1);
  CHECK(why == "the ledger test cannot be resumed in this process: test");
  CHECK(real.Head().seq.value == 1);
  // Not the ledger's case, but what the appender held is still there.
  log.lost = false;
  ingest.Stop();
  CHECK(real.Head().seq.value == 3);
}

}  // namespace
}  // namespace callledger
