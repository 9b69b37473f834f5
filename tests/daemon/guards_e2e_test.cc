// End to end with real processes, against what should not stop or leak:
// a wrong password or no Asterisk at all, frames that are huge or not JSON,
// another daemon taking the app or the ledger directory, a bad
// configuration. The daemon says so clearly, keeps going or stops cleanly,
// and never prints a secret.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "daemon_runs.h"
#include "e2e_helpers.h"
#include "pg/pg_call_log_store.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"
#include "support/processes.h"
#include "support/temp_dir.h"

namespace callledger {
namespace {

using testing::Child;
using testing::DaemonEnv;
using testing::Exported;
using testing::OpenLedger;
using testing::TempDir;
using testing::TestDatabase;
using testing::WaitForCheckpoint;
using testing::WaitForListening;
using testing::WaitForLog;

TEST_CASE("wrong password and unreachable Asterisk: clear lines, retries, a clean stop") {
  TestDatabase db;
  TempDir dir;
  const auto stream = testing::CaptureDir() / "a-inbound-answered.observer.jsonl";
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--fast", stream.string()}, {},
            dir / "sim.out", dir / "sim.err");
  const std::string address = WaitForListening(dir / "sim.out");
  auto env = DaemonEnv(address, db, dir, "pbx-401");
  env[2] = "ARI_PASSWORD=wrong-password";
  {
    Child daemon({CALL_LEDGERD_PATH}, env, dir / "d1.out", dir / "d1.err");
    CHECK(WaitForLog(dir / "d1.err", "ARI authentication failed (HTTP 401)", 2));
    CHECK(daemon.Stop(SIGTERM) == 0);
    CHECK_THAT(testing::ReadFile(dir / "d1.err"), !Catch::Contains("wrong-password"));
  }
  // A port nobody listens on (ari-sim's, after it stopped).
  CHECK(sim.Stop(SIGTERM) == 0);
  env = DaemonEnv(address, db, dir, "pbx-401");
  {
    Child daemon({CALL_LEDGERD_PATH}, env, dir / "d2.out", dir / "d2.err");
    CHECK(WaitForLog(dir / "d2.err", "retrying in", 2));
    CHECK_THAT(testing::ReadFile(dir / "d2.err"), Catch::Contains("Connection refused"));
    const auto before = std::chrono::steady_clock::now();
    CHECK(daemon.Stop(SIGTERM) == 0);
    CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(5));
  }
}

TEST_CASE("a 2 MiB frame, non-JSON frames and ApplicationReplaced never stop the daemon") {
  TestDatabase db;
  TempDir dir;
  // Hand-made stream (written here, not a capture): real frames around a
  // 2 MiB frame and two lines that are not JSON.
  const auto real =
      testing::ReadLines(testing::CaptureDir() / "b-inbound-abandoned.observer.jsonl");
  std::string bytes;
  for (std::size_t i = 0; i < real.size(); ++i) {
    bytes += real[i] + "\n";
    if (i == 10) bytes += "{\"type\":\"Big\",\"pad\":\"" + std::string(2u << 20, 'x') + "\"}\n";
    if (i == 20) bytes += "not json at all\n{\"type\":\"Truncated\",\"timestamp\n";
  }
  testing::WriteFile(dir / "bad.jsonl", bytes);
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--speed", "5", (dir / "bad.jsonl").string()},
            {}, dir / "sim.out", dir / "sim.err");
  const std::string address = WaitForListening(dir / "sim.out");
  Child daemon({CALL_LEDGERD_PATH}, DaemonEnv(address, db, dir, "pbx-bad"), dir / "d.out",
               dir / "d.err");
  auto store = pg::PgCallLogStore::Open(db.dsn());
  REQUIRE(store.ok());
  const std::uint64_t expected = real.size() + 3 + 3;
  CHECK(WaitForCheckpoint(**store, "pbx-bad", expected) == expected);
  // Someone else takes our application name: we are told, and back off.
  TempDir other;
  Child intruder({CALL_LEDGERD_PATH}, DaemonEnv(address, db, other, "pbx-other"), other / "d.out",
                 other / "d.err");
  CHECK(WaitForLog(dir / "d.err", "ApplicationReplaced"));
  CHECK(intruder.Stop(SIGTERM) == 0);
  CHECK(daemon.Stop(SIGTERM) == 0);
  const std::string log = testing::ReadFile(dir / "d.err");
  INFO(log.substr(0, 4000));
  CHECK_THAT(log, Catch::Contains("kept a malformed frame (2097") &&
                      Catch::Contains("kept a malformed frame (15 bytes)"));
  auto ledger = OpenLedger(dir);
  const std::string exported = Exported(*ledger);
  // Everything the PBX sent, byte for byte; the ApplicationReplaced frame too.
  CHECK_THAT(exported, Catch::StartsWith(bytes));
  CHECK_THAT(exported, Catch::Contains("ApplicationReplaced"));
  auto rows = (*store)->AllRows("pbx-bad");
  REQUIRE(rows.ok());
  CHECK(rows->size() == 1);
}

TEST_CASE("api_key mode connects and never logs the key") {
  TestDatabase db;
  TempDir dir;
  const auto stream = testing::CaptureDir() / "a-inbound-answered.observer.jsonl";
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--fast", stream.string()}, {},
            dir / "sim.out", dir / "sim.err");
  const std::string address = WaitForListening(dir / "sim.out");
  auto env = DaemonEnv(address, db, dir, "pbx-key");
  env.push_back("ARI_AUTH=api_key");
  Child daemon({CALL_LEDGERD_PATH}, env, dir / "d.out", dir / "d.err");
  CHECK(WaitForLog(dir / "d.err", "Connected to Asterisk ARI WebSocket"));
  CHECK(daemon.Stop(SIGTERM) == 0);
  const std::string log = testing::ReadFile(dir / "d.err");
  INFO(log);
  CHECK_THAT(log, Catch::Contains("api_key=***"));
  CHECK_THAT(log, !Catch::Contains("CallCenter2025"));
}

TEST_CASE("two daemons never share a ledger directory") {
  TestDatabase db;
  TempDir dir;
  const auto stream = testing::CaptureDir() / "a-inbound-answered.observer.jsonl";
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--speed", "1", stream.string()}, {},
            dir / "sim.out", dir / "sim.err");
  const std::string address = WaitForListening(dir / "sim.out");
  Child first({CALL_LEDGERD_PATH}, DaemonEnv(address, db, dir, "pbx-lock"), dir / "d1.out",
              dir / "d1.err");
  REQUIRE(WaitForLog(dir / "d1.err", "Connected to Asterisk ARI WebSocket"));
  Child second({CALL_LEDGERD_PATH}, DaemonEnv(address, db, dir, "pbx-lock"), dir / "d2.out",
               dir / "d2.err");
  CHECK(second.Stop(0) == 2);  // exits by itself
  CHECK_THAT(testing::ReadFile(dir / "d2.err"), Catch::Contains("in use by another process"));
  CHECK(first.Stop(SIGTERM) == 0);
}

TEST_CASE("call-ledgerd --check-config validates and never prints a secret") {
  TempDir dir;
  Child bad({CALL_LEDGERD_PATH, "--check-config"},
            {"ARI_URL=ftp://nowhere", "ARI_USER=u", "ARI_PASSWORD=s3cret-pw"}, dir / "out",
            dir / "err");
  CHECK(bad.Stop(0) == 2);  // signal 0: just wait for the exit
  CHECK_THAT(testing::ReadFile(dir / "err"), Catch::Contains("ari.base_url"));
  CHECK_THAT(testing::ReadFile(dir / "err") + testing::ReadFile(dir / "out"),
             !Catch::Contains("s3cret-pw"));
  Child good({CALL_LEDGERD_PATH, "--check-config"},
             {"ARI_USER=u", "ARI_PASSWORD=s3cret-pw",
              "DATABASE_URL=postgresql://app:db-s3cret@127.0.0.1/calls",
              "LEDGER_DIR=" + (dir / "ledger").string()},
             dir / "out2", dir / "err2");
  CHECK(good.Stop(0) == 0);
  const std::string printed = testing::ReadFile(dir / "out2");
  CHECK_THAT(printed, Catch::Contains("configuration ok"));
  CHECK_THAT(printed, !Catch::Contains("s3cret-pw") && !Catch::Contains("db-s3cret"));
}

}  // namespace
}  // namespace callledger
