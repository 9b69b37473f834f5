// The projection on a real PostgreSQL: the live runner's table equals the
// rebuild's, `check` proves it and catches a hand-made change, a runner
// killed with SIGKILL at random moments never applies a record twice or
// skips one (DESIGN invariants 3 and 4), and a rebuild killed at random
// moments leaves the old table or the new one, never a mix.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "ari/frame_record.h"
#include "pg/pg_call_log_store.h"
#include "projection/row_format.h"
#include "projection/runner.h"
#include "replay/rebuild.h"
#include "replay/synthetic.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"
#include "support/temp_dir.h"

namespace callledger {
namespace {

using testing::TempDir;
using testing::TestDatabase;

// A ledger of `replicas` copies of every captured observer session, each
// copy with fresh channel ids (18 calls and 1,719 records per copy).
void FillLedger(const std::filesystem::path& dir, int replicas) {
  store::RocksOptions opts;
  opts.node = "pbx-1";
  auto log = store::RocksEventLog::Open(dir, opts);
  REQUIRE(log.ok());
  ari::FrameParser parser;
  std::vector<std::string> frames;
  for (const auto& s : testing::CapturedStreams()) {
    if (!s.filename().string().ends_with(".observer.jsonl")) continue;
    for (const auto& line : testing::ReadLines(s)) frames.push_back(line);
  }
  for (int r = 0; r < replicas; ++r) {
    std::vector<RecordDraft> drafts;
    for (const auto& f : frames)
      drafts.push_back(ari::DraftFromFrame(parser, replay::WithFreshIds(f, r), 0));
    REQUIRE((*log)->Append(drafts).ok());
  }
}

std::unique_ptr<store::RocksEventLog> OpenReadOnly(const std::filesystem::path& dir) {
  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  auto log = store::RocksEventLog::Open(dir, ro);
  REQUIRE(log.ok());
  return std::move(log.value());
}

std::unique_ptr<pg::PgCallLogStore> OpenPg(const TestDatabase& db) {
  auto store = pg::PgCallLogStore::Open(db.dsn());
  REQUIRE(store.ok());
  return std::move(store.value());
}

std::string Dump(CallLogStore& store, const std::string& node) {
  auto rows = store.AllRows(node);
  REQUIRE(rows.ok());
  return projection::RowsToJson(rows.value());
}

TEST_CASE("pg: the live runner's table equals the rebuild's, and check proves it") {
  TempDir dir;
  FillLedger(dir / "ledger", 3);
  auto log = OpenReadOnly(dir / "ledger");
  TestDatabase live_db, rebuilt_db;
  auto live = OpenPg(live_db);
  auto rebuilt = OpenPg(rebuilt_db);

  projection::ProjectionRunner runner(*log, *live, {7});
  auto applied = runner.CatchUp();
  REQUIRE(applied.ok());
  CHECK(applied.value() == log->Head().seq.value);
  auto report = replay::Rebuild(*log, *rebuilt);
  REQUIRE(report.ok());
  CHECK(report->rows == 54);
  CHECK(live->Checkpoint("pbx-1").value() == rebuilt->Checkpoint("pbx-1").value());
  const std::string live_rows = Dump(*live, "pbx-1");
  CHECK(live_rows == Dump(*rebuilt, "pbx-1"));

  auto clean = replay::Check(*log, *live);
  REQUIRE(clean.ok());
  CHECK(clean->differences.empty());
  CHECK(clean->table_rows == 54);

  // An operator "fixes" a row by hand: check names the row and the column.
  auto rows = live->AllRows("pbx-1").value();
  const std::string victim = rows.at(5).call_id;
  live_db.Exec("UPDATE call_logs SET status = 'kelyapti' WHERE call_id = '" + victim + "'");
  live_db.Exec("DELETE FROM call_logs WHERE call_id = '" + rows.at(9).call_id + "'");
  auto dirty = replay::Check(*log, *live);
  REQUIRE(dirty.ok());
  REQUIRE(dirty->differences.size() == 2);
  CHECK_THAT(dirty->differences[0] + dirty->differences[1],
             Catch::Contains(victim) && Catch::Contains("status"));
  CHECK_THAT(dirty->differences[0] + dirty->differences[1],
             Catch::Contains("missing from the table"));

  // A rebuild repairs it.
  REQUIRE(replay::Rebuild(*log, *live).ok());
  CHECK(Dump(*live, "pbx-1") == live_rows);

  // A table whose checkpoint is beyond the ledger as opened (the daemon
  // appended and projected since): kAborted, open the ledger again.
  live_db.Exec("UPDATE projector_checkpoint SET last_seq = last_seq + 10 WHERE node = 'pbx-1'");
  auto ahead = replay::Check(*log, *live);
  REQUIRE(!ahead.ok());
  CHECK(ahead.status().code() == Code::kAborted);
  CHECK_THAT(ahead.status().message(), Catch::Contains("open the ledger again"));
  REQUIRE(replay::Rebuild(*log, *live).ok());

  // However early the fold hands rows to PostgreSQL (0: each finished
  // row right after the batch of records that finished it), the table is
  // the same. (Withdrawals: tests/replay/fold_test.cc and
  // tests/pg/pg_replacement_test.cc.)
  for (const std::uint64_t early : {std::uint64_t{0}, std::uint64_t{300}}) {
    CAPTURE(early);
    replay::RebuildOptions options;
    options.settle_after_records = early;
    options.hand_out_rows = 5;
    auto streamed = replay::Rebuild(*log, *rebuilt, options);
    REQUIRE(streamed.ok());
    CHECK(streamed->rows_early > streamed->rows / 2);
    CHECK(Dump(*rebuilt, "pbx-1") == live_rows);
  }
}

// Auditors may run check while the daemon projects: the table then moves
// on while check reads it. It must compare the rows as of one checkpoint
// with the ledger folded to that checkpoint, never rows of a later one.
TEST_CASE("pg: check on a table the runner is writing reports no difference") {
  TempDir dir;
  FillLedger(dir / "ledger", 4);
  auto log = OpenReadOnly(dir / "ledger");
  TestDatabase db;
  auto live = OpenPg(db);
  auto checker = OpenPg(db);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    projection::ProjectionRunner runner(*log, *live, {3});
    while (true) {
      auto applied = runner.CatchUp(30);
      if (!applied.ok() || *applied == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    done = true;
  });
  int checks = 0, clean = 0;
  while (!done) {
    auto report = replay::Check(*log, *checker);
    REQUIRE(report.ok());
    ++checks;
    if (report->differences.empty()) {
      ++clean;
    } else {
      INFO("checkpoint " << report->checkpoint.value << ": " << report->differences.front());
      CHECK(report->differences.empty());
    }
  }
  writer.join();
  INFO("checks " << checks);
  CHECK(checks >= 3);
  CHECK(clean == checks);
}

// Runs `ledger-replay ARGS...` (its stdout discarded; errors stay in the
// test's log) and SIGKILLs it
// `delay` after it starts or, with `progressed`, `delay` after that says the
// run did real work (so the kill lands mid-work however slow start-up is on
// a loaded machine). True if it finished first (exit 0).
bool ReplayUntilKilled(const std::vector<std::string>& args, std::chrono::milliseconds delay,
                       const std::function<bool()>& progressed = nullptr) {
  std::vector<char*> argv = {const_cast<char*>("ledger-replay")};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    execv(LEDGER_REPLAY_PATH, argv.data());
    _exit(127);
  }
  const auto start = std::chrono::steady_clock::now();
  auto deadline = start + delay;
  bool armed = !progressed;
  int status = 0;
  while (!armed || std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      REQUIRE(WIFEXITED(status));
      REQUIRE(WEXITSTATUS(status) == 0);
      return true;
    }
    if (!armed &&
        (progressed() || std::chrono::steady_clock::now() - start > std::chrono::seconds(20))) {
      armed = true;
      deadline = std::chrono::steady_clock::now() + delay;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill(pid, SIGKILL);
  REQUIRE(waitpid(pid, &status, 0) == pid);
  if (WIFEXITED(status)) {
    REQUIRE(WEXITSTATUS(status) == 0);
    return true;
  }
  CHECK(WTERMSIG(status) == SIGKILL);
  return false;
}

// `ledger-replay project` in batches of 5 records: long enough to be killed
// in the middle many times.
bool ProjectUntilKilled(const std::string& ledger, const std::string& dsn,
                        std::chrono::milliseconds delay,
                        const std::function<bool()>& progressed = nullptr) {
  return ReplayUntilKilled({"project", "--ledger", ledger, "--pg", dsn, "--batch", "5"}, delay,
                           progressed);
}

TEST_CASE("pg: a runner killed at random moments applies every record exactly once") {
  TempDir dir;
  FillLedger(dir / "ledger", 12);  // 20,628 records, 216 calls: room for 12 kills
  TestDatabase db;
  const unsigned seed = 20261126;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  // Small batches make the run long enough to be killed in the middle many
  // times; some kills land during start-up (also a moment worth surviving).
  std::uniform_int_distribution<int> delay_ms(10, 120);
  auto store = OpenPg(db);  // applies the migrations before the first kill
  int kills = 0, advanced = 0;
  bool finished = false;
  Seq last_checkpoint;
  while (!finished && kills < 12) {
    // Every other run is killed only after its checkpoint moved: mid-work
    // kills even when start-up is slow; the others at any moment.
    std::function<bool()> progressed;
    if (kills % 2 == 0) {
      progressed = [&] {
        auto cp = store->Checkpoint("pbx-1");
        return cp.ok() && cp.value() > last_checkpoint;
      };
    }
    const int delay = delay_ms(rng);
    finished =
        ProjectUntilKilled((dir / "ledger").string(), db.dsn(),
                           std::chrono::milliseconds(progressed ? delay % 20 : delay), progressed);
    if (!finished) ++kills;
    // The checkpoint never goes back, whatever moment the kill hit.
    auto cp = store->Checkpoint("pbx-1");
    REQUIRE(cp.ok());
    CHECK(cp.value() >= last_checkpoint);
    if (cp.value() > last_checkpoint) ++advanced;
    last_checkpoint = cp.value();
  }
  if (!finished)
    finished = ProjectUntilKilled((dir / "ledger").string(), db.dsn(), std::chrono::minutes(2));
  REQUIRE(finished);
  CHECK(kills >= 10);
  CHECK(advanced >= 3);  // killed in the middle of real work, not only at start-up
  auto log = OpenReadOnly(dir / "ledger");
  CHECK(store->Checkpoint("pbx-1").value() == log->Head().seq);
  auto report = replay::Check(*log, *store);
  REQUIRE(report.ok());
  CHECK(report->differences.empty());
  CHECK(report->table_rows == 216);
}

// `ledger-replay rebuild` on three connections.
bool RebuildUntilKilled(const std::string& ledger, const std::string& dsn,
                        std::chrono::milliseconds delay) {
  // Rows are written from early in the fold on, so kills land in every
  // phase of the replacement.
  return ReplayUntilKilled({"rebuild", "--ledger", ledger, "--pg", dsn, "--early-after", "200"},
                           delay);
}

TEST_CASE("pg: a rebuild killed at random moments leaves the old table or the new one") {
  // The new partition is committed before the swap (empty, before the
  // fold: its COPY runs beside the fold), so a kill can leave it behind:
  // the next rebuild must remove it, and readers must never see it.
  TempDir dir;
  FillLedger(dir / "ledger", 12);  // 20,628 records, 216 calls
  TestDatabase db;
  auto store = OpenPg(db);
  auto log = OpenReadOnly(dir / "ledger");
  CallRow old;
  old.node = "pbx-1";
  old.call_id = "before-the-rebuild";
  old.channel_id = "chan-old";
  old.status = CallStatus::kFinished;
  old.first_seq = old.last_seq = Seq{1};
  const std::string leftovers =
      "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE '%\\_new\\_%'";
  const unsigned seed = 20261126;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(5, 250);
  int old_seen = 0, new_seen = 0, leftovers_seen = 0;
  for (int run = 0; run < 12; ++run) {
    REQUIRE(store->ReplaceAll("pbx-1", std::vector<CallRow>{old}, Seq{1}).ok());
    const int delay = delay_ms(rng);
    CAPTURE(run, delay);
    RebuildUntilKilled((dir / "ledger").string(), db.dsn(), std::chrono::milliseconds(delay));
    leftovers_seen += std::stoi(db.Exec(leftovers));
    auto cp = store->Checkpoint("pbx-1");
    REQUIRE(cp.ok());
    if (cp.value() == Seq{1}) {
      ++old_seen;
      auto rows = store->AllRows("pbx-1");
      REQUIRE(rows.ok());
      REQUIRE(rows->size() == 1);
      CHECK(rows->front().call_id == old.call_id);
    } else {
      ++new_seen;
      REQUIRE(cp.value() == log->Head().seq);
      auto report = replay::Check(*log, *store);
      REQUIRE(report.ok());
      CHECK(report->differences.empty());
    }
  }
  INFO("old " << old_seen << ", new " << new_seen << ", leftovers " << leftovers_seen);
  // A rebuild that is not killed finishes, whatever the kills left.
  REQUIRE(RebuildUntilKilled((dir / "ledger").string(), db.dsn(), std::chrono::minutes(2)));
  CHECK(db.Exec(leftovers) == "0");
  auto report = replay::Check(*log, *store);
  REQUIRE(report.ok());
  CHECK(report->differences.empty());
  CHECK(report->table_rows == 216);
}

}  // namespace
}  // namespace callledger
