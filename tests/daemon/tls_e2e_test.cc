// End to end over TLS with real processes on 127.0.0.1: ari-sim serves
// https:// and wss:// with a self-signed certificate made here (openssl
// CLI), call-ledgerd connects to it with the certificate as its CA
// (ari.ca_file) and records the stream byte for byte; without that CA the
// certificate check fails on every attempt, the daemon says so, retries,
// records no frame and still stops cleanly.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "audit/render.h"
#include "e2e_helpers.h"
#include "pg/pg_call_log_store.h"
#include "record/record_codec.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"
#include "support/processes.h"
#include "support/temp_dir.h"

namespace callledger {
namespace {

using testing::Child;
using testing::Exported;
using testing::OpenLedger;
using testing::TempDir;
using testing::TestDatabase;
using testing::WaitForCheckpoint;
using testing::WaitForListening;
using testing::WaitForLog;

// A self-signed certificate for IP 127.0.0.1 (and its key) in `dir`.
void MakeCertificate(const TempDir& dir) {
  Child openssl({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                 "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                 (dir / "key.pem").string(), "-out", (dir / "cert.pem").string()},
                {}, dir / "openssl.out", dir / "openssl.err");
  const int code = openssl.Stop(0);
  INFO(testing::ReadFile(dir / "openssl.err"));
  REQUIRE(code == 0);
  REQUIRE(std::filesystem::exists(dir / "cert.pem"));
}

std::vector<std::string> DaemonEnv(const std::string& address, const TestDatabase& db,
                                   const TempDir& dir, const std::string& node) {
  return {"ARI_URL=https://" + address,
          "ARI_USER=backend",
          "ARI_PASSWORD=CallCenter2025",
          "DATABASE_URL=" + db.dsn(),
          "LEDGER_DIR=" + (dir / "ledger").string(),
          "NODE_NAME=" + node,
          "LOG_LEVEL=info",
          "HTTP_LISTEN=127.0.0.1:0"};
}

std::uint64_t FrameRecords(const EventLog& ledger) {
  std::uint64_t frames = 0;
  REQUIRE(ledger
              .ScanEncoded(Seq{1}, Seq{UINT64_MAX},
                           [&](Seq, std::string_view bytes) {
                             auto r = DecodeRecordView(bytes);
                             REQUIRE(r.ok());
                             frames += r->kind == RecordKind::kAriEvent;
                             return true;
                           })
              .ok());
  return frames;
}

struct TlsSim {
  explicit TlsSim(const TempDir& dir, const std::filesystem::path& stream)
      : child(
            {ARI_SIM_PATH, "--listen", "127.0.0.1:0", "--fast", "--lead-in-ms", "300", "--tls-cert",
             (dir / "cert.pem").string(), "--tls-key", (dir / "key.pem").string(), stream.string()},
            {}, dir / "sim.out", dir / "sim.err"),
        address(WaitForListening(dir / "sim.out")) {}
  Child child;
  std::string address;
};

TEST_CASE("wss:// with ari.ca_file: every frame byte for byte, projected") {
  const auto stream = testing::CaptureDir() / "a-inbound-answered.observer.jsonl";
  const auto lines = testing::ReadLines(stream);
  TestDatabase db;
  TempDir dir;
  MakeCertificate(dir);
  TlsSim sim(dir, stream);
  testing::WriteFile(dir / "daemon.toml",
                     "[ari]\nca_file = \"" + (dir / "cert.pem").string() + "\"\n");
  Child daemon({CALL_LEDGERD_PATH, "--config", (dir / "daemon.toml").string()},
               DaemonEnv(sim.address, db, dir, "pbx-tls"), dir / "d.out", dir / "d.err");
  auto store = pg::PgCallLogStore::Open(db.dsn());
  REQUIRE(store.ok());
  // Frames + the daemon's note, gap and reconcile records, all projected.
  const std::uint64_t expected = lines.size() + 3;
  const std::uint64_t cp = WaitForCheckpoint(**store, "pbx-tls", expected);
  const int code = daemon.Stop(SIGTERM);
  const std::string log = testing::ReadFile(dir / "d.err");
  INFO(log);
  INFO(testing::ReadFile(dir / "sim.err"));
  CHECK(code == 0);
  REQUIRE(cp == expected);
  CHECK_THAT(log, Catch::Contains("Connected to Asterisk ARI WebSocket (wss://127.0.0.1:"));
  CHECK_THAT(log, !Catch::Contains("TLS handshake"));
  CHECK_THAT(log, !Catch::Contains("CallCenter2025"));
  auto ledger = OpenLedger(dir);
  std::ostringstream exported;
  auto counts = audit::ExportPayloads(*ledger, Seq{1}, Seq{UINT64_MAX}, exported);
  REQUIRE(counts.ok());
  CHECK(counts->skipped_other_kinds == 3);
  CHECK(exported.str() == testing::ReadFile(stream));
  auto rows = (*store)->AllRows("pbx-tls");
  REQUIRE(rows.ok());
  CHECK(rows->size() == 1);
}

TEST_CASE(
    "wss:// to a certificate not trusted: a clear line per attempt, retries, no frames, a clean "
    "stop") {
  const auto stream = testing::CaptureDir() / "a-inbound-answered.observer.jsonl";
  TestDatabase db;
  TempDir dir;
  MakeCertificate(dir);
  TlsSim sim(dir, stream);
  // Verification on (the default), the system's CAs only.
  Child daemon({CALL_LEDGERD_PATH}, DaemonEnv(sim.address, db, dir, "pbx-untrusted"), dir / "d.out",
               dir / "d.err");
  CHECK(WaitForLog(dir / "d.err", "certificate verify failed", 2));
  const auto before = std::chrono::steady_clock::now();
  CHECK(daemon.Stop(SIGTERM) == 0);
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(5));
  const std::string log = testing::ReadFile(dir / "d.err");
  INFO(log);
  INFO(testing::ReadFile(dir / "sim.err"));
  CHECK_THAT(log, Catch::Contains("TLS handshake with 127.0.0.1:") &&
                      Catch::Contains("self-signed certificate"));
  CHECK_THAT(log, Catch::Contains("retrying in"));
  CHECK_THAT(log, !Catch::Contains("Connected to Asterisk ARI WebSocket"));
  CHECK_THAT(testing::ReadFile(dir / "sim.err"), Catch::Contains("TLS handshake failed"));
  CHECK(FrameRecords(*OpenLedger(dir)) == 0);

  // The right CA but another host name: the certificate names 127.0.0.1 only.
  TempDir other;
  testing::WriteFile(other / "daemon.toml",
                     "[ari]\nca_file = \"" + (dir / "cert.pem").string() + "\"\n");
  auto env = DaemonEnv(sim.address, db, other, "pbx-wrong-name");
  env[0] = "ARI_URL=https://localhost:" + sim.address.substr(sim.address.rfind(':') + 1);
  Child named({CALL_LEDGERD_PATH, "--config", (other / "daemon.toml").string()}, env,
              other / "d.out", other / "d.err");
  CHECK(WaitForLog(other / "d.err", "certificate verify failed: hostname mismatch", 2));
  CHECK(named.Stop(SIGTERM) == 0);
  INFO(testing::ReadFile(other / "d.err"));
  CHECK(FrameRecords(*OpenLedger(other)) == 0);
}

TEST_CASE("wss:// with ari.verify_tls off: connects to an untrusted certificate, with a warning") {
  const auto stream = testing::CaptureDir() / "a-inbound-answered.observer.jsonl";
  const auto lines = testing::ReadLines(stream);
  TestDatabase db;
  TempDir dir;
  MakeCertificate(dir);
  TlsSim sim(dir, stream);
  auto env = DaemonEnv(sim.address, db, dir, "pbx-noverify");
  env.push_back("ARI_VERIFY_TLS=false");
  Child daemon({CALL_LEDGERD_PATH}, env, dir / "d.out", dir / "d.err");
  auto store = pg::PgCallLogStore::Open(db.dsn());
  REQUIRE(store.ok());
  const std::uint64_t expected = lines.size() + 3;
  const std::uint64_t cp = WaitForCheckpoint(**store, "pbx-noverify", expected);
  CHECK(daemon.Stop(SIGTERM) == 0);
  const std::string log = testing::ReadFile(dir / "d.err");
  INFO(log);
  REQUIRE(cp == expected);
  CHECK_THAT(log, Catch::Contains("ari.verify_tls is off"));
  CHECK(FrameRecords(*OpenLedger(dir)) == lines.size());
}

}  // namespace
}  // namespace callledger
