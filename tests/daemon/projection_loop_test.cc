// The daemon's projection loop: it catches up after appends, waits out a
// PostgreSQL that cannot be reached (opened lazily, with backoff), and ends
// with the rows of a whole fold.
#include <catch2/catch.hpp>

#include <thread>

#include "ari/frame_record.h"
#include "daemon/projection_loop.h"
#include "projection/memory_call_log_store.h"
#include "projection/record_projector.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

// Hands the loop a store it does not own, after `refusals` failed attempts.
class SharedStore final : public CallLogStore {
 public:
  explicit SharedStore(CallLogStore& inner) : inner_(inner) {}
  Result<Seq> Checkpoint(std::string_view n) override { return inner_.Checkpoint(n); }
  Status ApplyBatch(std::string_view n, Seq e, Seq x, std::span<const RowChange> c) override {
    return inner_.ApplyBatch(n, e, x, c);
  }
  Status ReplaceAll(std::string_view n, std::span<const CallRow> r, Seq c) override {
    return inner_.ReplaceAll(n, r, c);
  }
  Result<std::vector<CallRow>> AllRows(std::string_view n) override { return inner_.AllRows(n); }

 private:
  CallLogStore& inner_;
};

void AppendCapture(EventLog& log, const std::string& name) {
  ari::FrameParser parser;
  std::vector<RecordDraft> drafts;
  for (const auto& line : testing::ReadLines(testing::CaptureDir() / name)) {
    drafts.push_back(ari::DraftFromFrame(parser, line, 0));
  }
  REQUIRE(log.Append(drafts).ok());
}

std::vector<CallRow> ByCallId(std::vector<CallRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const CallRow& a, const CallRow& b) { return a.call_id < b.call_id; });
  return rows;
}

TEST_CASE("the projection loop waits for an unreachable store, then catches up") {
  store::MemoryEventLog log("pbx");
  projection::MemoryCallLogStore store;
  std::atomic<int> attempts{0};
  daemon::ProjectionLoopOptions options;
  options.backoff_initial = std::chrono::milliseconds(5);
  options.backoff_max = std::chrono::milliseconds(20);
  options.poll = std::chrono::milliseconds(10);
  daemon::ProjectionLoop loop(
      log,
      [&]() -> Result<std::unique_ptr<CallLogStore>> {
        if (++attempts <= 5) return Unavailable("injected: connection refused");
        return std::unique_ptr<CallLogStore>(std::make_unique<SharedStore>(store));
      },
      options);
  loop.Start();
  AppendCapture(log, "h-inbound-utf8-callername.observer.jsonl");
  loop.Notify();
  AppendCapture(log, "k1-transfer-hold-dtmf.observer.jsonl");
  loop.Notify();
  for (int i = 0; i < 500 && loop.stats().checkpoint < log.Head().seq.value; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  loop.Stop();
  CHECK(attempts > 5);
  CHECK(loop.stats().store_errors >= 5);
  CHECK(loop.stats().checkpoint == log.Head().seq.value);
  auto expected = projection::ProjectLedger(log);
  REQUIRE(expected.ok());
  CHECK(store.AllRows("pbx").value() == ByCallId(expected.value()));
  CHECK(store.AllRows("pbx")->size() == 4);
}

}  // namespace
}  // namespace callledger
