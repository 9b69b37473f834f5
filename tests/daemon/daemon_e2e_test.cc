// End to end with real processes on 127.0.0.1: ari-sim serves a captured
// stream, call-ledgerd records it and projects it into a real PostgreSQL.
// The ledger's frames must be the capture byte for byte, and the table must
// be what `ledger-replay fixture` says for the same file.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "audit/render.h"
#include "pg/pg_call_log_store.h"
#include "projection/row_format.h"
#include "replay/fixture.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"
#include "support/temp_dir.h"

namespace callledger {
namespace {

using testing::TempDir;
using testing::TestDatabase;

// A child process with its stdout in a file; killed (SIGKILL) if still
// running when destroyed.
class Child {
 public:
  Child(std::vector<std::string> argv, std::vector<std::string> env, const std::filesystem::path& out,
        const std::filesystem::path& err) {
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(o, STDOUT_FILENO);
      dup2(e, STDERR_FILENO);
      for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // Sends `sig` and waits; returns the exit status (or 128 + signal).
  int Stop(int sig) {
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

std::string WaitForListening(const std::filesystem::path& out) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(out);
    std::string line;
    if (std::getline(in, line) && line.starts_with("listening on ")) return line.substr(13);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("ari-sim did not print its address");
  return {};
}

// Every column but node and the seqs (the daemon's ledger also holds its
// own note, gap and reconcile records, so its seqs are shifted).
std::string Comparable(const std::vector<CallRow>& rows) {
  std::vector<CallRow> sorted = rows;
  std::sort(sorted.begin(), sorted.end(), [](const CallRow& a, const CallRow& b) { return a.call_id < b.call_id; });
  std::string out;
  for (const auto& r : sorted) {
    for (const auto& [k, v] : projection::RowFields(r)) {
      if (k == "node" || k == "first_seq" || k == "last_seq") continue;
      out += k + "=" + v + " ";
    }
    out += "\n";
  }
  return out;
}

void RunStream(const std::filesystem::path& stream, const TestDatabase& db) {
  INFO(stream.filename().string());
  TempDir dir;
  const std::vector<std::string> lines = testing::ReadLines(stream);
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--fast", stream.string()}, {}, dir / "sim.out",
            dir / "sim.err");
  const std::string address = WaitForListening(dir / "sim.out");
  const std::string node = "pbx-" + stream.filename().string().substr(0, 2);
  Child daemon({CALL_LEDGERD_PATH},
               {"ARI_URL=http://" + address, "ARI_USER=backend", "ARI_PASSWORD=CallCenter2025",
                "DATABASE_URL=" + db.dsn(), "LEDGER_DIR=" + (dir / "ledger").string(), "NODE_NAME=" + node,
                "LOG_LEVEL=info"},
               dir / "daemon.out", dir / "daemon.err");
  // Frames + the daemon's note, gap and reconcile records, all projected.
  const std::uint64_t expected = lines.size() + 3;
  auto store = pg::PgCallLogStore::Open(db.dsn());
  REQUIRE(store.ok());
  std::uint64_t checkpoint = 0;
  for (int i = 0; i < 500 && checkpoint < expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto cp = (*store)->Checkpoint(node);
    if (cp.ok()) checkpoint = cp->value;
  }
  const int code = daemon.Stop(SIGTERM);
  INFO(testing::ReadFile(dir / "daemon.err"));
  CHECK(code == 0);
  REQUIRE(checkpoint == expected);
  CHECK_THAT(testing::ReadFile(dir / "daemon.err"), Catch::Contains("Connected to Asterisk ARI WebSocket"));

  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  auto ledger = store::RocksEventLog::Open(dir / "ledger", ro);
  REQUIRE(ledger.ok());
  std::ostringstream exported;
  auto counts = audit::ExportPayloads(**ledger, Seq{1}, Seq{UINT64_MAX}, exported);
  REQUIRE(counts.ok());
  CHECK(counts->skipped_other_kinds == 3);
  CHECK(exported.str() == testing::ReadFile(stream));

  auto fixture = replay::RunFixture(stream, {});
  REQUIRE(fixture.ok());
  auto table = (*store)->AllRows(node);
  REQUIRE(table.ok());
  CHECK(Comparable(table.value()) == Comparable(fixture->rows));
}

TEST_CASE("ari-sim -> call-ledgerd -> PostgreSQL: every captured stream, frames and rows exact") {
  TestDatabase db;
  int streams = 0;
  for (const auto& stream : testing::CapturedStreams()) {
    RunStream(stream, db);
    ++streams;
  }
  CHECK(streams == 32);
}

TEST_CASE("call-ledgerd --check-config validates and never prints a secret") {
  TempDir dir;
  Child bad({CALL_LEDGERD_PATH, "--check-config"}, {"ARI_URL=ftp://nowhere", "ARI_USER=u", "ARI_PASSWORD=s3cret-pw"},
            dir / "out", dir / "err");
  CHECK(bad.Stop(0) == 2);  // signal 0: just wait for the exit
  CHECK_THAT(testing::ReadFile(dir / "err"), Catch::Contains("ari.base_url"));
  CHECK_THAT(testing::ReadFile(dir / "err") + testing::ReadFile(dir / "out"), !Catch::Contains("s3cret-pw"));
  Child good({CALL_LEDGERD_PATH, "--check-config"},
             {"ARI_USER=u", "ARI_PASSWORD=s3cret-pw", "DATABASE_URL=postgresql://app:db-s3cret@127.0.0.1/calls",
              "LEDGER_DIR=" + (dir / "ledger").string()},
             dir / "out2", dir / "err2");
  CHECK(good.Stop(0) == 0);
  const std::string printed = testing::ReadFile(dir / "out2");
  CHECK_THAT(printed, Catch::Contains("configuration ok"));
  CHECK_THAT(printed, !Catch::Contains("s3cret-pw") && !Catch::Contains("db-s3cret"));
}

}  // namespace
}  // namespace callledger
