// The CEL collector with the real ingest and an in-memory ledger, on real
// threads and real files: after a gap's reconcile, the cel records with the
// window's lines; the first window of a run; an overflow's window; a wait
// for lines Asterisk has not finished writing; a stop during that wait.
#include "daemon/cel_collector.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "cel_files.h"
#include "core/utc_time.h"
#include "daemon/ingest.h"
#include "forwarding_log.h"
#include "payload/cel.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"
#include "support/stored_records.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace callledger::daemon {
namespace {

using namespace std::chrono_literals;
using testing::CelLines;
using testing::CelLinesIn;
using testing::CelTime;
using testing::TempDir;
using testing::WaitUntil;

std::int64_t Ari(const std::string& timestamp) {
  auto t = ParseIsoTimestamp(timestamp);
  REQUIRE(t.has_value());
  return *t;
}

// The observer's last frame before its gap and its first after it:
// 2026-12-07T16:48:05.172+0500 and 2026-12-07T16:48:08.604+0500.
constexpr std::int64_t kGapSince = 1796644085172000;
constexpr std::int64_t kGapUntil = 1796644088604000;

TEST_CASE("the observer's gap in q-observer-gap, in UTC µs") {
  CHECK(Ari("2026-12-07T16:48:05.172+0500") == kGapSince);
  CHECK(Ari("2026-12-07T16:48:08.604+0500") == kGapUntil);
}

CelCollectorOptions Options(const std::filesystem::path& file) {
  CelCollectorOptions o;
  o.file = file;
  o.margin = 1000ms;
  o.settle = 10s;
  o.poll = 5ms;
  o.clock = [] { return std::int64_t{1796650000000000}; };
  return o;
}

std::vector<std::string> Lines(const payload::CelPayload& p) {
  std::vector<std::string> out;
  for (const auto& l : p.lines) out.push_back(l.text());
  return out;
}

struct Stored {
  Seq seq;
  Record record;
};

std::vector<Stored> All(const EventLog& log) {
  std::vector<Stored> out;
  for (std::uint64_t s = 1; s <= log.Head().seq.value; ++s) {
    out.push_back({Seq{s}, testing::DecodeStored(log, Seq{s})});
  }
  return out;
}

// A sink that keeps what it is given (on the collector's thread, so it
// only stores; the test reads `Parts()` once the collector has stopped).
struct Kept {
  std::mutex mu;
  std::vector<RecordDraft> drafts;
  CelRecordSink Sink() {
    return [this](RecordDraft d) {
      std::lock_guard lock(mu);
      drafts.push_back(std::move(d));
      return true;
    };
  }
  std::vector<payload::CelPayload> Parts() {
    std::lock_guard lock(mu);
    std::vector<payload::CelPayload> out;
    for (const auto& d : drafts) {
      CHECK(d.kind == RecordKind::kCel);
      auto p = payload::ParseCel(d.payload);
      REQUIRE(p.ok());
      out.push_back(std::move(*p));
    }
    return out;
  }
};

TEST_CASE("after a reconnect's reconcile, the window's CEL lines follow it in the ledger") {
  store::MemoryEventLog log("pbx");
  std::atomic<std::int64_t> now{kGapSince - 3'000'000};
  IngestOptions io;
  io.clock = [&] { return now.load(); };
  Ingest ingest(log, io);
  CelCollector cel([&](RecordDraft d) { return ingest.PushEvidence(std::move(d)); },
                   Options(testing::CelCapture("q-observer-gap")));
  ingest.SetOnGapWindow([&](cel::GapWindow w) { cel.Collect(std::move(w)); });
  ingest.Start();
  cel.Start();
  ingest.OnConnected("{}");
  ingest.OnSnapshot("[]", "[]");
  ingest.OnFrame(R"({"type":"ChannelVarset","timestamp":"2026-12-07T16:48:05.172+0500"})");
  now = kGapSince;
  ingest.OnDisconnected("closed by Asterisk");
  now = kGapUntil - 100'000;
  ingest.OnConnected("{}");
  now = kGapUntil;
  ingest.OnSnapshot("[]", "[]");
  REQUIRE(WaitUntil([&] { return cel.stats().windows.load() == 2; }, 10s, "two windows read"));
  cel.Stop();
  ingest.Stop();

  std::optional<Seq> second_reconcile;
  std::vector<payload::CelPayload> second_window;
  for (const auto& [seq, r] : All(log)) {
    if (r.kind == RecordKind::kReconcile && r.event_time_us == kGapUntil) second_reconcile = seq;
    if (r.kind != RecordKind::kCel || r.event_time_us != kGapUntil) continue;
    REQUIRE(second_reconcile.has_value());  // after its reconcile
    CHECK(r.received_at_us == 1796650000000000);
    auto p = payload::ParseCel(r.payload);
    REQUIRE(p.ok());
    second_window.push_back(*p);
  }
  REQUIRE(second_window.size() == 1);
  const payload::CelPayload& p = second_window[0];
  CHECK(p.since_us == kGapSince - 1'000'000);
  CHECK(p.until_us == kGapUntil);
  CHECK(p.last_part);
  CHECK(Lines(p) == CelLinesIn(CelLines("q-observer-gap"), kGapSince - 1'000'000, kGapUntil));
  REQUIRE_FALSE(p.notes.empty());
  CHECK(p.notes[0] ==
        "window from the disconnect before this connection, less cel.margin_ms (1000 ms)");
  CHECK(cel.stats().records == 2);
  CHECK(cel.stats().read_errors == 0);
}

TEST_CASE("the first window of a run begins at the last frame of the run before") {
  store::MemoryEventLog log("pbx");
  RecordDraft frame;
  frame.kind = RecordKind::kAriEvent;
  frame.event_time_us = kGapSince;
  frame.received_at_us = kGapSince + 2'000'000;  // late: the event time counts
  frame.payload = "{}";
  RecordDraft note;
  note.kind = RecordKind::kNote;
  note.event_time_us = note.received_at_us = kGapUntil - 1;
  note.payload = "{}";
  REQUIRE(log.Append(std::vector<RecordDraft>{frame, note}).ok());

  IngestOptions io;
  io.clock = [] { return kGapUntil; };
  Ingest ingest(log, io);
  Kept kept;
  CelCollector cel(kept.Sink(), Options(testing::CelCapture("q-observer-gap")));
  ingest.SetOnGapWindow([&](cel::GapWindow w) { cel.Collect(std::move(w)); });
  ingest.Start();
  cel.Start();
  ingest.OnConnected("{}");
  ingest.OnSnapshot("[]", "[]");
  REQUIRE(WaitUntil([&] { return cel.stats().windows.load() == 1; }, 10s, "the window read"));
  cel.Stop();
  ingest.Stop();
  const auto parts = kept.Parts();
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].since_us == kGapSince - 1'000'000);
  CHECK(parts[0].notes[0] ==
        "window from the last record heard from Asterisk before this run (seq 1), less "
        "cel.margin_ms (1000 ms)");
  CHECK(Lines(parts[0]) ==
        CelLinesIn(CelLines("q-observer-gap"), kGapSince - 1'000'000, kGapUntil));
}

TEST_CASE("an overflow's window is read once its gap record is appended") {
  TempDir dir("cel-overflow");
  const auto path = dir / "cel.jsonl";
  const auto q = CelLines("q-observer-gap");
  const std::int64_t t = kGapUntil;
  testing::WriteFile(path, testing::Joined(q));
  store::MemoryEventLog log("pbx");
  IngestOptions io;
  io.queue_frames = 4;
  io.clock = [t] { return t; };
  Ingest ingest(log, io);
  CelCollector cel([&](RecordDraft d) { return ingest.PushEvidence(std::move(d)); }, Options(path));
  ingest.SetOnGapWindow([&](cel::GapWindow w) { cel.Collect(std::move(w)); });
  for (int i = 0; i < 10; ++i) ingest.OnFrame(R"({"type":"X"})");  // 6 dropped
  ingest.Start();
  cel.Start();
  REQUIRE(WaitUntil([&] { return log.Head().seq.value >= 4; }, 10s, "the queued frames"));
  ingest.OnFrame(R"({"type":"X"})");
  REQUIRE(WaitUntil([&] { return cel.stats().records.load() == 1; }, 10s, "the cel record"));
  cel.Stop();
  ingest.Stop();
  const auto all = All(log);
  REQUIRE(all.size() == 7);
  CHECK(all[4].record.kind == RecordKind::kGap);
  // The frame that fitted came with its gap; the cel record after both.
  CHECK(all[5].record.kind == RecordKind::kAriEvent);
  REQUIRE(all[6].record.kind == RecordKind::kCel);
  auto p = payload::ParseCel(all[6].record.payload);
  REQUIRE(p.ok());
  CHECK(p->since_us == t - 1'000'000);
  CHECK(p->until_us == t);
  CHECK(Lines(*p) == CelLinesIn(q, t - 1'000'000, t));
  CHECK_THAT(p->notes[0], Catch::StartsWith("window of frames dropped from the full ingest queue"));
}

TEST_CASE("the collector waits for Asterisk to finish the window's lines, then reads them") {
  TempDir dir("cel-settle");
  const auto path = dir / "cel.jsonl";
  const auto lines = CelLines("b-inbound-abandoned");
  const std::string last = lines.back();
  testing::WriteFile(path,
                     testing::Joined(std::vector<std::string>(lines.begin(), lines.end() - 1)) +
                         last.substr(0, 30));
  Kept kept;
  CelCollector cel(kept.Sink(), Options(path));
  cel.Start();
  const std::int64_t until = CelTime(last);
  // From the file's first line on (the margin is 1 s): nothing before it
  // is missing.
  cel.Collect(cel::GapWindow{CelTime(lines.front()) + 1'000'000, until, "test window"});
  REQUIRE(WaitUntil([&] { return cel.stats().waits.load() == 1; }, 10s, "the wait to begin"));
  CHECK(cel.stats().windows == 0);
  testing::AppendFile(path, last.substr(30) + "\n");
  REQUIRE(WaitUntil([&] { return cel.stats().windows.load() == 1; }, 10s, "the window read"));
  cel.Stop();
  const auto parts = kept.Parts();
  REQUIRE(parts.size() == 1);
  CHECK(Lines(parts[0]) == CelLinesIn(lines, CelTime(lines.front()), until));
  CHECK(Lines(parts[0]).back() == last);
  REQUIRE(parts[0].notes.size() == 1);  // the origin only: nothing was missing
}

TEST_CASE("a stop during the wait reads the file as it is, says so, and returns at once") {
  TempDir dir("cel-stop");
  const auto path = dir / "cel.jsonl";
  const auto lines = CelLines("b-inbound-abandoned");
  testing::WriteFile(path, testing::Joined(lines));
  Kept kept;
  CelCollectorOptions o = Options(path);
  o.settle = 60s;
  CelCollector cel(kept.Sink(), o);
  cel.Start();
  // Its end lies after every line of the file: no line says it was written.
  const std::int64_t until = CelTime(lines.back()) + 30'000'000;
  cel.Collect(cel::GapWindow{CelTime(lines.front()) + 1'000'000, until, "test window"});
  REQUIRE(WaitUntil([&] { return cel.stats().waits.load() == 1; }, 10s, "the wait to begin"));
  const auto start = std::chrono::steady_clock::now();
  cel.Stop();
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  const auto parts = kept.Parts();
  REQUIRE(parts.size() == 1);
  CHECK(Lines(parts[0]) == lines);
  REQUIRE(parts[0].notes.size() == 2);
  CHECK_THAT(parts[0].notes[1], Catch::StartsWith("shutdown cut the wait"));

  // A window given after the stop is not read, and counted.
  cel.Collect(cel::GapWindow{0, 1, "late"});
  CHECK(cel.stats().dropped_windows == 1);
  CHECK(kept.Parts().size() == 1);
}

TEST_CASE("a settle wait that runs out is noted, and a large window goes through in order") {
  store::MemoryEventLog log("pbx");
  Ingest ingest(log, IngestOptions{});
  CelCollectorOptions o = Options(testing::CelCapture("p-burst-80"));
  o.settle = 20ms;
  o.max_record_bytes = 64 * 1024;
  CelCollector cel([&](RecordDraft d) { return ingest.PushEvidence(std::move(d)); }, o);
  ingest.Start();
  cel.Start();
  const auto all = CelLines("p-burst-80");
  const std::int64_t since = CelTime(all.front()), until = CelTime(all.back()) + 5'000'000;
  cel.Collect(cel::GapWindow{since + 1'000'000, until, "test window"});
  REQUIRE(WaitUntil([&] { return cel.stats().windows.load() == 1; }, 10s, "the window read"));
  cel.Stop();
  ingest.Stop();
  std::vector<std::string> lines;
  std::uint64_t part = 0;
  std::vector<std::string> notes;
  for (const auto& [seq, r] : All(log)) {
    REQUIRE(r.kind == RecordKind::kCel);
    auto p = payload::ParseCel(r.payload);
    REQUIRE(p.ok());
    CHECK(p->part == ++part);
    for (auto& l : Lines(*p)) lines.push_back(std::move(l));
    notes = p->notes;
  }
  CHECK(part > 20);
  CHECK(lines == CelLinesIn(all, since, until));
  REQUIRE(notes.size() == 2);
  CHECK_THAT(notes[1], Catch::StartsWith("after waiting cel.settle_ms (20 ms) the file held no "
                                         "line stamped at or after the window's end"));
}

// Takes no record, like a ledger on a full disk.
class RefusingLog final : public testing::ForwardingLog {
 public:
  RefusingLog() : ForwardingLog(real_) {}  // real_ is only bound here, used later
  Result<SeqRange> Append(std::span<const RecordDraft>) override {
    return Unavailable("injected: no space left on device");
  }
  Status Sync() override { return Status::Ok(); }

 private:
  store::MemoryEventLog real_{"pbx"};
};

TEST_CASE("evidence waits for the ledger, but not at shutdown") {
  RefusingLog log;
  IngestOptions io;
  io.retry_initial = 1ms;
  io.retry_max = 5ms;
  Ingest ingest(log, io);
  CelCollectorOptions o = Options(testing::CelCapture("p-burst-80"));
  o.max_record_bytes = 64 * 1024;
  CelCollector cel([&](RecordDraft d) { return ingest.PushEvidence(std::move(d)); }, o);
  ingest.Start();
  cel.Start();
  const auto all = CelLines("p-burst-80");
  cel.Collect(cel::GapWindow{CelTime(all.front()) + 1'000'000, CelTime(all.back()), "test window"});
  // The appender holds the first records, failing to append them; the
  // queue takes kMaxPendingEvidence more, and the collector waits.
  REQUIRE(WaitUntil(
      [&] {
        return ingest.stats().append_errors.load() >= 3 &&
               cel.stats().records.load() >= Ingest::kMaxPendingEvidence;
      },
      10s, "the ledger refusing, the evidence queue full"));
  CHECK(cel.stats().windows == 0);
  ingest.StopEvidenceWaits();
  cel.Stop();  // returns: the collector no longer waits on the ledger
  CHECK(cel.stats().windows == 1);
  CHECK(cel.stats().records > 20);
  CHECK(cel.stats().dropped_windows == 0);
  ingest.Stop();  // gives up on them after its deadline, as on any record
  CHECK(log.Head().seq.value == 0);
}

}  // namespace
}  // namespace callledger::daemon
