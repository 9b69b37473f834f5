// End to end with real processes on 127.0.0.1: ari-sim serves a captured
// stream, call-ledgerd records it and projects it into a real PostgreSQL.
// The ledger's frames must be the capture byte for byte, and the table must
// be what `ledger-replay fixture` says for the same file, for every capture.
#include <catch2/catch.hpp>

#include <signal.h>

#include <sstream>
#include <string>
#include <vector>

#include "audit/render.h"
#include "daemon_runs.h"
#include "e2e_helpers.h"
#include "pg/pg_call_log_store.h"
#include "replay/fixture.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"
#include "support/processes.h"
#include "support/temp_dir.h"

namespace callledger {
namespace {

using testing::Child;
using testing::Comparable;
using testing::TempDir;
using testing::TestDatabase;
using testing::WaitForCheckpoint;
using testing::WaitForListening;

void RunStream(const std::filesystem::path& stream, const TestDatabase& db) {
  INFO(stream.filename().string());
  TempDir dir;
  const std::vector<std::string> lines = testing::ReadLines(stream);
  // The lead-in puts the daemon's reconcile record before the first frame,
  // as `ledger-replay fixture` (which has none) implicitly assumes: a
  // snapshot landing mid-call can legitimately teach the projector about a
  // leg a few frames early (seen: an answer 7 ms earlier, from the Dial).
  Child sim(
      {ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--fast", "--lead-in-ms", "300", stream.string()},
      {}, dir / "sim.out", dir / "sim.err");
  const std::string address = WaitForListening(dir / "sim.out");
  const std::string node = "pbx-" + stream.filename().string().substr(0, 2);
  Child daemon({CALL_LEDGERD_PATH},
               {"ARI_URL=http://" + address, "ARI_USER=backend", "ARI_PASSWORD=CallCenter2025",
                "DATABASE_URL=" + db.dsn(), "LEDGER_DIR=" + (dir / "ledger").string(),
                "NODE_NAME=" + node, "HTTP_LISTEN=127.0.0.1:0", "LOG_LEVEL=info"},
               dir / "daemon.out", dir / "daemon.err");
  // Frames + the daemon's note, gap and reconcile records, all projected.
  const std::uint64_t expected = lines.size() + 3;
  auto store = pg::PgCallLogStore::Open(db.dsn());
  REQUIRE(store.ok());
  const std::uint64_t checkpoint = WaitForCheckpoint(**store, node, expected);
  const int code = daemon.Stop(SIGTERM);
  INFO(testing::ReadFile(dir / "daemon.err"));
  CHECK(code == 0);
  REQUIRE(checkpoint == expected);
  CHECK_THAT(testing::ReadFile(dir / "daemon.err"),
             Catch::Contains("Connected to Asterisk ARI WebSocket"));
  CHECK_THAT(testing::ReadFile(dir / "daemon.err"),
             Catch::Contains("Asterisk 22.10.1 (entity 02:fc:00:00:00:01)"));

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

}  // namespace
}  // namespace callledger
