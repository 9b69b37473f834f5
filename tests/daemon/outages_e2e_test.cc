// End to end with real processes, through outages: connections to ari-sim
// dropped mid-call, the daemon SIGKILLed and restarted, PostgreSQL cut away
// twice. The ledger keeps every frame it was sent (gap records say what was
// lost), and the table settles to what the ledger says.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "audit/verify.h"
#include "daemon_http.h"
#include "daemon_runs.h"
#include "e2e_helpers.h"
#include "pg/pg_call_log_store.h"
#include "record/record_codec.h"
#include "replay/fixture.h"
#include "replay/rebuild.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"
#include "support/processes.h"
#include "support/tcp_to_unix_proxy.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace callledger {
namespace {

using testing::Child;
using testing::Comparable;
using testing::DaemonEnv;
using testing::DaemonHttpAddress;
using testing::Exported;
using testing::OpenLedger;
using testing::TempDir;
using testing::TestDatabase;
using testing::WaitForCheckpoint;
using testing::WaitForListening;
using testing::WaitForLog;
using testing::WaitUntil;

std::size_t IndexOf(const std::vector<std::string>& lines, const std::string& a,
                    const std::string& b) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(a) != std::string::npos && lines[i].find(b) != std::string::npos)
      return i + 1;
  }
  FAIL("no frame with " << a << " and " << b);
  return 0;
}

const CallRow& RowOf(const std::vector<CallRow>& rows, const std::string& channel) {
  auto it = std::find_if(rows.begin(), rows.end(),
                         [&](const CallRow& r) { return r.channel_id == channel; });
  REQUIRE(it != rows.end());
  return *it;
}

// Three overlapping calls (scenario h). The first cut loses the frame that
// brings call .51 into Stasis, the second the end of call .43: from its
// hangup request (the end, projector version 2) to its ChannelDestroyed.
TEST_CASE("dropped connections: a gap record per cut, calls settled from the reconcile") {
  const auto stream = testing::CaptureDir() / "h-inbound-utf8-callername.observer.jsonl";
  const auto lines = testing::ReadLines(stream);
  const std::size_t start51 =
      IndexOf(lines, "\"dialplan_app\":\"Stasis\"", "\"id\":\"1795684633.51\"");
  const std::size_t hangup43 =
      IndexOf(lines, "\"type\":\"ChannelHangupRequest\"", "\"id\":\"1795684632.43\"");
  const std::size_t end43 =
      IndexOf(lines, "\"type\":\"ChannelDestroyed\"", "\"id\":\"1795684632.43\"");
  REQUIRE(start51 < hangup43);
  REQUIRE(hangup43 < end43);
  const std::size_t lost43 = end43 - hangup43 + 1;
  TestDatabase db;
  TempDir dir;
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--speed", "5", "--drop-at",
             std::to_string(start51 - 1), "--gap", "1", "--drop-at", std::to_string(hangup43 - 1),
             "--gap", std::to_string(lost43), stream.string()},
            {}, dir / "sim.out", dir / "sim.err");
  const std::string address = WaitForListening(dir / "sim.out");
  Child daemon({CALL_LEDGERD_PATH}, DaemonEnv(address, db, dir, "pbx-drops"), dir / "d.out",
               dir / "d.err");
  auto store = pg::PgCallLogStore::Open(db.dsn());
  REQUIRE(store.ok());
  // Frames but the lost ones, plus a note, and a gap and a reconcile per connection.
  const std::uint64_t expected = lines.size() - 1 - lost43 + 1 + 3 * 2;
  const std::uint64_t cp = WaitForCheckpoint(**store, "pbx-drops", expected);
  CHECK(daemon.Stop(SIGTERM) == 0);
  INFO(testing::ReadFile(dir / "d.err"));
  REQUIRE(cp == expected);

  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  auto ledger = store::RocksEventLog::Open(dir / "ledger", ro);
  REQUIRE(ledger.ok());
  std::uint64_t gaps = 0;
  REQUIRE((*ledger)
              ->ScanEncoded(Seq{1}, Seq{UINT64_MAX},
                            [&](Seq, std::string_view bytes) {
                              auto r = DecodeRecordView(bytes);
                              REQUIRE(r.ok());
                              gaps += r->kind == RecordKind::kGap;
                              return true;
                            })
              .ok());
  CHECK(gaps == 3);

  const auto rows = (*store)->AllRows("pbx-drops").value();
  const auto full = replay::RunFixture(stream, {}).value().rows;
  REQUIRE(rows.size() == 3);
  // .43 ended inside the second gap: closed by the reconcile.
  const CallRow& c43 = RowOf(rows, "1795684632.43");
  CHECK(c43.status == CallStatus::kFinished);
  CHECK(c43.end_estimated);
  CHECK(c43.answered);
  CHECK(c43.end_us > RowOf(full, "1795684632.43").end_us);
  // .51 entered Stasis inside the first gap: opened from the reconcile, then
  // followed by its own events to its real end.
  const CallRow& c51 = RowOf(rows, "1795684633.51");
  const CallRow& f51 = RowOf(full, "1795684633.51");
  CHECK(c51.start_us == f51.start_us);
  CHECK(c51.direction == f51.direction);
  CHECK(c51.from_number == f51.from_number);
  CHECK(c51.to_number == f51.to_number);
  CHECK(c51.status == CallStatus::kFinished);
  CHECK(c51.answered);
  CHECK(c51.end_us == f51.end_us);
  CHECK_FALSE(c51.end_estimated);
  // .47 lost nothing: its row is the no-drop row.
  CHECK(Comparable({RowOf(rows, "1795684633.47")}) == Comparable({RowOf(full, "1795684633.47")}));
}

TEST_CASE(
    "a daemon killed mid-stream and restarted: ledger intact, a gap for the downtime, table = "
    "rebuild") {
  const auto stream = testing::CaptureDir() / "k2-agent-hunt.observer.jsonl";
  TestDatabase db;
  TempDir dir;
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--speed", "4", stream.string()}, {},
            dir / "sim.out", dir / "sim.err");
  const std::string address = WaitForListening(dir / "sim.out");
  const std::size_t lines = testing::ReadLines(stream).size();
  {
    Child first({CALL_LEDGERD_PATH}, DaemonEnv(address, db, dir, "pbx-kill"), dir / "d1.out",
                dir / "d1.err");
    // Killed once a quarter of the call is in its ledger (its note, gap and
    // reconcile come first).
    const std::string http = DaemonHttpAddress(dir / "d1.err");
    CHECK(WaitUntil([&] { return testing::DaemonLedgerHead(http) >= 3 + lines / 4; },
                    std::chrono::seconds(10),
                    "a quarter of the stream in the first daemon's ledger"));
    CHECK(first.Stop(SIGKILL) == 128 + SIGKILL);
  }
  const std::uint64_t head_at_kill = OpenLedger(dir)->Head().seq.value;
  Child second({CALL_LEDGERD_PATH}, DaemonEnv(address, db, dir, "pbx-kill"), dir / "d2.out",
               dir / "d2.err");
  // ari-sim says where the second connection starts (a frame the killed
  // daemon never appended is lost with it, one whose write failed is sent
  // again) and when the stream has ended; then the second daemon's note, gap,
  // reconcile and every frame after that point must reach the call log.
  REQUIRE(WaitForLog(dir / "sim.err", "subscribed to app", 2));
  REQUIRE(WaitForLog(dir / "sim.err", "stream ended"));
  const std::uint64_t expected =
      head_at_kill + 3 + testing::FramesSentToLastClient(dir / "sim.err", lines);
  auto store = pg::PgCallLogStore::Open(db.dsn());
  REQUIRE(store.ok());
  const std::uint64_t cp = WaitForCheckpoint(**store, "pbx-kill", expected);
  CHECK(second.Stop(SIGTERM) == 0);
  INFO(testing::ReadFile(dir / "d2.err"));
  CHECK(cp == expected);

  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  auto ledger = store::RocksEventLog::Open(dir / "ledger", ro);
  REQUIRE(ledger.ok());
  auto verified = audit::VerifyLedger(**ledger);
  REQUIRE(verified.ok());
  CHECK(verified->ok());
  std::uint64_t gaps = 0, frames = 0;
  REQUIRE((*ledger)
              ->ScanEncoded(Seq{1}, Seq{UINT64_MAX},
                            [&](Seq, std::string_view bytes) {
                              auto r = DecodeRecordView(bytes);
                              REQUIRE(r.ok());
                              gaps += r->kind == RecordKind::kGap;
                              frames += r->kind == RecordKind::kAriEvent;
                              return true;
                            })
              .ok());
  CHECK(gaps == 2);
  CHECK(frames > 0);
  CHECK(frames <= lines);
  auto check = replay::Check(**ledger, **store);
  REQUIRE(check.ok());
  CHECK(check->differences.empty());
  CHECK(check->checkpoint == (*ledger)->Head().seq);
}

std::string DsnValue(const std::string& dsn, const std::string& key) {
  std::istringstream in(dsn);
  std::string kv;
  while (in >> kv) {
    if (kv.starts_with(key + "=")) return kv.substr(key.size() + 1);
  }
  FAIL("no " << key << " in " << dsn);
  return {};
}

TEST_CASE("PostgreSQL away during a stream: the ledger records everything, the table catches up") {
  const auto stream = testing::CaptureDir() / "k1-transfer-hold-dtmf.observer.jsonl";
  const auto lines = testing::ReadLines(stream);
  TestDatabase db;
  TempDir dir;
  // The daemon reaches PostgreSQL through a proxy the test can cut.
  testing::TcpToUnixProxy proxy(DsnValue(db.dsn(), "host") + "/.s.PGSQL." +
                                DsnValue(db.dsn(), "port"));
  const std::string via_proxy = "host=127.0.0.1 port=" + std::to_string(proxy.port()) +
                                " user=postgres dbname=" + db.name() + " connect_timeout=2";
  proxy.Down();
  Child sim({ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--speed", "8", stream.string()}, {},
            dir / "sim.out", dir / "sim.err");
  const std::string address = WaitForListening(dir / "sim.out");
  std::vector<std::string> env = DaemonEnv(address, db, dir, "pbx-pgdown");
  env[3] = "DATABASE_URL=" + via_proxy;
  Child daemon({CALL_LEDGERD_PATH}, env, dir / "d.out", dir / "d.err");
  const std::string http = DaemonHttpAddress(dir / "d.err");
  const std::uint64_t expected = lines.size() + 3;
  // Half the call recorded with no database at all.
  CHECK(WaitForLog(dir / "d.err", "the ledger keeps recording"));
  CHECK(WaitUntil([&] { return testing::DaemonLedgerHead(http) >= 3 + lines.size() / 2; },
                  std::chrono::seconds(10), "half the call in the ledger"));
  proxy.Up();
  CHECK(WaitForLog(dir / "d.err", "PostgreSQL is back"));
  // And once more, cut while connected. If records are still to come, the
  // next of them meets the dead connection: the daemon says so and recovers.
  proxy.Down();
  const auto head_at_cut = testing::DaemonMetric(http, "call_ledger_ledger_head_seq");
  proxy.Up();
  REQUIRE(head_at_cut.has_value());
  if (*head_at_cut < expected) {
    CHECK(WaitForLog(dir / "d.err", "the ledger keeps recording", 2));
    CHECK(WaitForLog(dir / "d.err", "PostgreSQL is back", 2));
  }
  auto store = pg::PgCallLogStore::Open(db.dsn());
  REQUIRE(store.ok());
  const std::uint64_t cp = WaitForCheckpoint(**store, "pbx-pgdown", expected);
  CHECK(daemon.Stop(SIGTERM) == 0);
  const std::string log = testing::ReadFile(dir / "d.err");
  INFO(log);
  REQUIRE(cp == expected);
  CHECK_THAT(log, Catch::Contains("the ledger keeps recording"));
  CHECK_THAT(log, Catch::Contains("PostgreSQL is back"));
  auto ledger = OpenLedger(dir);
  const std::string exported = Exported(*ledger);
  CHECK(exported == testing::ReadFile(stream));
  auto check = replay::Check(*ledger, **store);
  REQUIRE(check.ok());
  CHECK(check->differences.empty());
  CHECK(check->table_rows == 1);
}

}  // namespace
}  // namespace callledger
