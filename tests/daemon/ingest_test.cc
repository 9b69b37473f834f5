// Ingest: frames into the ledger exactly as received, gap and reconcile
// records around (re)connections, overflow counted and recorded, failed
// appends retried until they succeed.
#include <catch2/catch.hpp>

#include <thread>

#include "daemon/ingest.h"
#include "forwarding_log.h"
#include "payload/gap.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"
#include "support/stored_records.h"

namespace callledger {
namespace {

using daemon::Ingest;
using daemon::IngestOptions;

IngestOptions Options(std::size_t queue = 65536) {
  IngestOptions o;
  o.queue_frames = queue;
  o.clock = [] { return std::int64_t{1795684500000000}; };
  o.retry_initial = std::chrono::milliseconds(1);
  return o;
}

void WaitForHead(const EventLog& log, std::uint64_t seq) {
  for (int i = 0; i < 2000 && log.Head().seq.value < seq; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(log.Head().seq.value >= seq);
}

TEST_CASE("ingest keeps every frame byte for byte, after a gap record for the connection") {
  store::MemoryEventLog log("pbx");
  Ingest ingest(log, Options());
  ingest.Start();
  const auto lines =
      testing::ReadLines(testing::CaptureDir() / "k1-transfer-hold-dtmf.observer.jsonl");
  ingest.OnConnected(R"({"system":{"version":"22.10.1"}})");
  for (const auto& line : lines) ingest.OnFrame(line);
  ingest.OnSnapshot("[]", "[]");
  ingest.OnFrame("this is not JSON");
  ingest.Stop();
  REQUIRE(log.Head().seq.value == lines.size() + 3);
  const Record gap = testing::DecodeStored(log, Seq{1});
  CHECK(gap.kind == RecordKind::kGap);
  CHECK(gap.reason == "connected to ARI after: daemon started");
  // The bytes the daemon has always written (payload/gap.h).
  CHECK(gap.payload ==
        R"({"reason":"connected to ARI after: daemon started","since_us":0,)"
        R"("until_us":1795684500000000,"asterisk_info":{"system":{"version":"22.10.1"}}})");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Record r = testing::DecodeStored(log, Seq{i + 2});
    REQUIRE(r.kind == RecordKind::kAriEvent);
    CHECK(r.payload == lines[i]);
  }
  const Record reconcile = testing::DecodeStored(log, Seq{lines.size() + 2});
  CHECK(reconcile.kind == RecordKind::kReconcile);
  CHECK(reconcile.reason == "GET /ari/channels and /ari/bridges");
  CHECK(reconcile.payload == R"({"channels":[],"bridges":[]})");
  CHECK(reconcile.event_time_us == 1795684500000000);
  const Record bad = testing::DecodeStored(log, Seq{lines.size() + 3});
  CHECK(bad.kind == RecordKind::kMalformed);
  CHECK(bad.payload == "this is not JSON");
  CHECK(ingest.stats().malformed == 1);
}

TEST_CASE("a full queue drops and counts frames, and a gap record says how many") {
  store::MemoryEventLog log("pbx");
  Ingest ingest(log, Options(4));
  // Not started yet: the queue fills up.
  for (int i = 0; i < 10; ++i) ingest.OnFrame(R"({"type":"X","n":)" + std::to_string(i) + "}");
  CHECK(ingest.stats().dropped == 6);
  ingest.Start();
  WaitForHead(log, 4);
  ingest.OnFrame(R"({"type":"X","n":10})");
  ingest.Stop();
  REQUIRE(log.Head().seq.value == 6);
  for (int i = 1; i <= 4; ++i)
    CHECK(testing::DecodeStored(log, Seq{static_cast<std::uint64_t>(i)}).kind ==
          RecordKind::kAriEvent);
  const Record gap = testing::DecodeStored(log, Seq{5});
  CHECK(gap.kind == RecordKind::kGap);
  CHECK_THAT(gap.reason, Catch::StartsWith("overflow: 6 frames"));
  CHECK(gap.payload ==
        R"x({"reason":"overflow: 6 frames received but not kept (ingest queue full)",)x"
        R"x("since_us":1795684500000000,"until_us":1795684500000000,"lost_frames":6})x");
  CHECK(testing::DecodeStored(log, Seq{6}).payload == R"({"type":"X","n":10})");
}

// Fails the first `failures` appends, like a disk that is briefly full.
class FlakyLog final : public testing::ForwardingLog {
 public:
  FlakyLog(EventLog& inner, int failures) : ForwardingLog(inner), failures_(failures) {}
  Result<SeqRange> Append(std::span<const RecordDraft> d) override {
    if (failures_-- > 0) return Unavailable("injected: no space left on device");
    return ForwardingLog::Append(d);
  }

 private:
  int failures_;
};

TEST_CASE("a failing append is retried until it succeeds and nothing is lost") {
  store::MemoryEventLog real("pbx");
  FlakyLog flaky(real, 5);
  Ingest ingest(flaky, Options());
  ingest.Start();
  for (int i = 0; i < 100; ++i) ingest.OnFrame(R"({"type":"X","n":)" + std::to_string(i) + "}");
  ingest.Stop();
  CHECK(ingest.stats().append_errors == 5);
  REQUIRE(real.Head().seq.value == 100);
  for (int i = 0; i < 100; ++i) {
    CHECK(testing::DecodeStored(real, Seq{static_cast<std::uint64_t>(i + 1)}).payload ==
          R"({"type":"X","n":)" + std::to_string(i) + "}");
  }
}

TEST_CASE("REST bodies that are not JSON make no reconcile record, and are kept as malformed") {
  store::MemoryEventLog log("pbx");
  Ingest ingest(log, Options());
  ingest.Start();
  ingest.OnConnected("not JSON either");
  ingest.OnSnapshot("<html>502 Bad Gateway</html>", "[]");
  ingest.OnSnapshot("[]", "[");
  ingest.OnFrame(R"({"type":"X"})");
  ingest.OnSnapshot(R"([{"id":"1.1"}])", "[]");
  ingest.Stop();
  REQUIRE(log.Head().seq.value == 5);
  const Record gap = testing::DecodeStored(log, Seq{1});
  CHECK(gap.kind == RecordKind::kGap);
  // An info body that is not JSON is left out, as before.
  CHECK(gap.payload == R"({"reason":"connected to ARI after: daemon started","since_us":0,)"
                       R"("until_us":1795684500000000})");
  // Each body that is not JSON is kept byte for byte, naming its request;
  // the body beside it that is JSON makes no record of its own.
  const Record channels = testing::DecodeStored(log, Seq{2});
  CHECK(channels.kind == RecordKind::kMalformed);
  CHECK(channels.payload == "<html>502 Bad Gateway</html>");
  CHECK(channels.reason.starts_with("GET /ari/channels answered with a body that cannot be"));
  CHECK(channels.event_time_us == 1795684500000000);
  const Record bridges = testing::DecodeStored(log, Seq{3});
  CHECK(bridges.kind == RecordKind::kMalformed);
  CHECK(bridges.payload == "[");
  CHECK(bridges.reason.starts_with("GET /ari/bridges answered"));
  CHECK(testing::DecodeStored(log, Seq{4}).kind == RecordKind::kAriEvent);
  const Record reconcile = testing::DecodeStored(log, Seq{5});
  CHECK(reconcile.kind == RecordKind::kReconcile);
  CHECK(reconcile.payload == R"({"channels":[{"id":"1.1"}],"bridges":[]})");
  CHECK(ingest.stats().reconciles == 1);
  CHECK(ingest.stats().malformed == 2);
}

TEST_CASE("a reconnection records why the previous connection ended") {
  store::MemoryEventLog log("pbx");
  Ingest ingest(log, Options());
  ingest.Start();
  ingest.OnConnected("{}");
  ingest.OnFrame(R"({"type":"X"})");
  ingest.OnDisconnected("closed by Asterisk");
  ingest.OnConnected("{}");
  ingest.Stop();
  REQUIRE(log.Head().seq.value == 3);
  const Record second = testing::DecodeStored(log, Seq{3});
  CHECK(second.kind == RecordKind::kGap);
  CHECK_THAT(second.reason, Catch::Contains("closed by Asterisk"));
}

// A long outage: the connection ends, attempts to reconnect fail for a
// while. The gap (and the CEL window after it) begins when the connection
// ended, not at the last failed attempt, and says why it ended; before the
// first connection of a run nothing is heard, and the gap begins before the
// run, "after: daemon started" however many attempts failed.
TEST_CASE("failed attempts to reconnect do not move where the gap begins nor its reason") {
  store::MemoryEventLog log("pbx");
  std::int64_t now = 1795684500000000;
  IngestOptions options = Options();
  options.clock = [&now] { return now; };
  Ingest ingest(log, options);
  ingest.Start();
  ingest.OnDisconnected("connection refused");
  now += 1'000'000;
  ingest.OnConnected("{}");
  now += 1'000'000;
  ingest.OnFrame(R"({"type":"X"})");
  ingest.OnDisconnected("closed by Asterisk");
  const std::int64_t closed_at = now;
  for (int attempt = 0; attempt < 3; ++attempt) {
    now += 2'000'000;
    ingest.OnDisconnected("WebSocket upgrade refused: 503");
  }
  now += 500'000;
  ingest.OnConnected("{}");
  ingest.Stop();
  REQUIRE(log.Head().seq.value == 3);
  auto first = payload::ParseGap(testing::DecodeStored(log, Seq{1}).payload);
  REQUIRE(first.ok());
  CHECK(first->since_us == 0);
  CHECK(first->reason == "connected to ARI after: daemon started");
  auto second = payload::ParseGap(testing::DecodeStored(log, Seq{3}).payload);
  REQUIRE(second.ok());
  CHECK(second->since_us == closed_at);
  CHECK(second->until_us == closed_at + 6'500'000);
  CHECK(second->reason == "connected to ARI after: closed by Asterisk");
}

}  // namespace
}  // namespace callledger
