// End to end with real processes: call-ledgerd with CEL_FILE pointing at a
// CEL log (a capture's lines, moved to the present as Asterisk would be
// writing them now) and ari-sim dropping the connection once. After each
// gap's reconcile the ledger holds a cel record with exactly the lines
// stamped in the gap's window; a SIGTERM while the daemon waits for
// Asterisk's lines ends it at once, with the record saying so.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "audit/verify.h"
#include "cel_files.h"
#include "daemon_http.h"
#include "daemon_runs.h"
#include "e2e_helpers.h"
#include "payload/cel.h"
#include "payload/gap.h"
#include "record/record_codec.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"
#include "support/processes.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace callledger {
namespace {

using namespace std::chrono_literals;
using testing::Child;
using testing::TempDir;
using testing::TestDatabase;

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// q-observer-gap's CEL lines moved so that the first is `first_us`.
std::vector<std::string> CelLog(std::int64_t first_us) {
  const auto lines = testing::CelLines("q-observer-gap");
  const std::int64_t shift = first_us - testing::CelTime(lines.front());
  std::vector<std::string> out;
  for (const auto& line : lines) out.push_back(testing::ShiftCelLine(line, shift));
  return out;
}

std::vector<Record> LedgerRecords(const TempDir& dir) {
  auto ledger = testing::OpenLedger(dir);
  auto verified = audit::VerifyLedger(*ledger);
  REQUIRE(verified.ok());
  CHECK(verified->ok());
  std::vector<Record> out;
  REQUIRE(ledger
              ->ScanEncoded(Seq{1}, Seq{UINT64_MAX},
                            [&](Seq, std::string_view bytes) {
                              auto r = DecodeRecord(bytes);
                              REQUIRE(r.ok());
                              out.push_back(std::move(*r));
                              return true;
                            })
              .ok());
  return out;
}

TEST_CASE("a dropped connection: the gap window's CEL lines are recorded after its reconcile") {
  const auto stream = testing::CaptureDir() / "k2-agent-hunt.observer.jsonl";
  TestDatabase db;
  TempDir dir;
  const auto cel_log = CelLog(NowUs() - 5'000'000);
  testing::WriteFile(dir / "cel.jsonl", testing::Joined(cel_log));
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--speed", "4", "--drop-at", "40", "--gap",
             "2", stream.string()},
            {}, dir / "sim.out", dir / "sim.err");
  const std::string address = testing::WaitForListening(dir / "sim.out");
  std::vector<std::string> env = testing::DaemonEnv(address, db, dir, "pbx-cel");
  env.push_back("CEL_FILE=" + (dir / "cel.jsonl").string());
  Child daemon({CALL_LEDGERD_PATH}, env, dir / "d.out", dir / "d.err");
  const std::string http = testing::DaemonHttpAddress(dir / "d.err");
  // Two windows: the daemon's start and the reconnect.
  REQUIRE(testing::WaitUntil(
      [&] { return testing::DaemonMetric(http, "call_ledger_cel_records_total") >= 2.0; }, 30s,
      "two cel records"));
  CHECK(daemon.Stop(SIGTERM) == 0);
  const std::string log = testing::ReadFile(dir / "d.err");
  INFO(log);
  CHECK_THAT(log, Catch::Contains("CEL: recording the lines of " + (dir / "cel.jsonl").string()));

  const auto records = LedgerRecords(dir);
  std::vector<std::size_t> gaps, reconciles, cels;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].kind == RecordKind::kGap) gaps.push_back(i);
    if (records[i].kind == RecordKind::kReconcile) reconciles.push_back(i);
    if (records[i].kind == RecordKind::kCel) cels.push_back(i);
  }
  REQUIRE(gaps.size() == 2);
  REQUIRE(reconciles.size() == 2);
  REQUIRE(cels.size() == 2);
  for (int k = 0; k < 2; ++k) {
    const Record& reconcile = records[reconciles[k]];
    const Record& cel = records[cels[k]];
    auto p = payload::ParseCel(cel.payload);
    REQUIRE(p.ok());
    INFO("window " << k << ": " << cel.reason);
    // After its reconcile, for the window the reconcile closed.
    CHECK(cels[k] > reconciles[k]);
    CHECK(p->until_us == reconcile.event_time_us);
    CHECK(cel.event_time_us == reconcile.event_time_us);
    CHECK(p->file == (dir / "cel.jsonl").string());
    CHECK(p->last_part);
    std::vector<std::string> lines;
    for (const auto& l : p->lines) lines.push_back(l.text());
    CHECK(lines == testing::CelLinesIn(cel_log, p->since_us, p->until_us));
  }
  // The reconnect's window: from 5 s (cel.margin_ms) before the disconnect.
  auto gap = payload::ParseGap(records[gaps[1]].payload);
  REQUIRE(gap.ok());
  auto second = payload::ParseCel(records[cels[1]].payload);
  REQUIRE(second.ok());
  CHECK(second->since_us == gap->since_us - 5'000'000);
  CHECK_FALSE(second->lines.empty());
  CHECK(second->notes.front() ==
        "window from the disconnect before this connection, less cel.margin_ms (5000 ms)");
}

TEST_CASE("SIGTERM while the daemon waits for Asterisk's CEL lines: it stops at once, recorded") {
  const auto stream = testing::CaptureDir() / "a-inbound-answered.observer.jsonl";
  TestDatabase db;
  TempDir dir;
  // A log whose last line is a minute old: nothing says the lines up to
  // the window's end were written, so the daemon waits (up to a minute).
  const auto cel_log = CelLog(NowUs() - 80'000'000);
  testing::WriteFile(dir / "cel.jsonl", testing::Joined(cel_log));
  testing::WriteFile(dir / "config.toml", "[cel]\nsettle_ms = 60000\n");
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--speed", "4", stream.string()}, {},
            dir / "sim.out", dir / "sim.err");
  const std::string address = testing::WaitForListening(dir / "sim.out");
  std::vector<std::string> env = testing::DaemonEnv(address, db, dir, "pbx-cel-stop");
  env.push_back("CEL_FILE=" + (dir / "cel.jsonl").string());
  Child daemon({CALL_LEDGERD_PATH, "--config", (dir / "config.toml").string()}, env, dir / "d.out",
               dir / "d.err");
  REQUIRE(testing::WaitForLog(dir / "d.err", "CEL: waiting up to 60000 ms"));
  const auto start = std::chrono::steady_clock::now();
  CHECK(daemon.Stop(SIGTERM) == 0);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  INFO(testing::ReadFile(dir / "d.err"));

  const auto records = LedgerRecords(dir);
  std::size_t gap = 0, reconcile = 0, cel = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].kind == RecordKind::kGap) gap = i;
    if (records[i].kind == RecordKind::kReconcile) reconcile = i;
    if (records[i].kind == RecordKind::kCel) cel = i;
  }
  REQUIRE(gap > 0);  // after the options note
  REQUIRE(reconcile > gap);
  REQUIRE(cel > reconcile);
  auto p = payload::ParseCel(records[cel].payload);
  REQUIRE(p.ok());
  bool said = false;
  for (const auto& note : p->notes) said |= note.starts_with("shutdown cut the wait");
  CHECK(said);
  // A new ledger: the window begins a margin before the connection, and
  // the old log has no line in it.
  CHECK(p->since_us == records[gap].event_time_us - 5'000'000);
  CHECK(p->until_us == records[reconcile].event_time_us);
  CHECK(p->lines.empty());
}

}  // namespace
}  // namespace callledger
