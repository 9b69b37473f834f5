// The projection runner against the in-memory twins (the PostgreSQL runs are
// in tests/pg): batch sizes, restarts, store failures and rebuilds must all
// end in exactly the rows of one whole fold of the ledger.
#include <catch2/catch.hpp>

#include "ari/frame_record.h"
#include "projection/memory_call_log_store.h"
#include "projection/runner.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

using projection::MemoryCallLogStore;
using projection::ProjectionRunner;

// Every captured stream, one after the other: 2,537 records. Both streams of
// a scenario carry the same channels, so they fold into the same 18 calls.
void FillLedger(EventLog& log) {
  ari::FrameParser parser;
  for (const auto& stream : testing::CapturedStreams()) {
    std::vector<RecordDraft> drafts;
    for (const auto& line : testing::ReadLines(stream))
      drafts.push_back(ari::DraftFromFrame(parser, line, 0));
    REQUIRE(log.Append(drafts).ok());
  }
}

std::vector<CallRow> ByCallId(std::vector<CallRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const CallRow& a, const CallRow& b) { return a.call_id < b.call_id; });
  return rows;
}

std::vector<CallRow> Expected(const EventLog& log) {
  auto rows = projection::ProjectLedger(log);
  REQUIRE(rows.ok());
  return ByCallId(rows.value());
}

// Fails every `period`-th ApplyBatch with kUnavailable, before touching the
// real store, like a PostgreSQL that drops connections.
class FlakyStore final : public CallLogStore {
 public:
  FlakyStore(CallLogStore& inner, int period) : inner_(inner), period_(period) {}
  Result<Seq> Checkpoint(std::string_view node) override { return inner_.Checkpoint(node); }
  Status ApplyBatch(std::string_view node, Seq expected, Seq next,
                    std::span<const RowChange> changes) override {
    if (++calls_ % period_ == 0) return Unavailable("injected: connection lost");
    return inner_.ApplyBatch(node, expected, next, changes);
  }
  Status ReplaceAll(std::string_view node, std::span<const CallRow> rows, Seq cp) override {
    return inner_.ReplaceAll(node, rows, cp);
  }
  Result<std::vector<CallRow>> AllRows(std::string_view node) override {
    return inner_.AllRows(node);
  }
  int failures() const { return calls_ / period_; }

 private:
  CallLogStore& inner_;
  int period_;
  int calls_ = 0;
};

TEST_CASE("batches of 1, 7 and 1000 records give the rows of one whole fold") {
  store::MemoryEventLog log("pbx");
  FillLedger(log);
  const auto expected = Expected(log);
  REQUIRE(expected.size() == 18);
  for (std::size_t batch : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
    INFO("batch " << batch);
    MemoryCallLogStore store;
    ProjectionRunner runner(log, store, {batch});
    auto applied = runner.CatchUp();
    REQUIRE(applied.ok());
    CHECK(applied.value() == log.Head().seq.value);
    CHECK(runner.checkpoint() == log.Head().seq);
    CHECK(store.AllRows("pbx").value() == expected);
    CHECK(store.batches_applied() == (log.Head().seq.value + batch - 1) / batch);
  }
}

TEST_CASE("a runner restarted in the middle rebuilds its state and ends in the same rows") {
  store::MemoryEventLog log("pbx");
  FillLedger(log);
  const auto expected = Expected(log);
  for (std::uint64_t stop : {1ull, 500ull, 1234ull, 2000ull}) {
    INFO("restart after " << stop << " records");
    MemoryCallLogStore store;
    {
      ProjectionRunner first(log, store, {7});
      auto applied = first.CatchUp(stop);
      REQUIRE(applied.ok());
      CHECK(applied.value() == stop);
    }
    ProjectionRunner second(log, store, {100});
    REQUIRE(second.Start().ok());
    CHECK(second.checkpoint() == Seq{stop});
    REQUIRE(second.CatchUp().ok());
    CHECK(store.AllRows("pbx").value() == expected);
  }
}

TEST_CASE("a store that keeps failing is caught up once it answers, exactly once") {
  store::MemoryEventLog log("pbx");
  FillLedger(log);
  MemoryCallLogStore real;
  FlakyStore flaky(real, 3);
  ProjectionRunner runner(log, flaky, {50});
  int errors = 0;
  for (int attempt = 0; attempt < 1000 && runner.checkpoint() < log.Head().seq; ++attempt) {
    auto r = runner.CatchUp();
    if (!r.ok()) {
      CHECK(r.status().code() == Code::kUnavailable);
      ++errors;
    }
  }
  CHECK(errors > 5);
  CHECK(runner.checkpoint() == log.Head().seq);
  CHECK(real.AllRows("pbx").value() == Expected(log));
  CHECK(runner.stats().records_applied == log.Head().seq.value);
}

TEST_CASE("a rebuild under a live runner makes it restart from the new checkpoint") {
  store::MemoryEventLog log("pbx");
  FillLedger(log);
  MemoryCallLogStore store;
  ProjectionRunner runner(log, store, {100});
  REQUIRE(runner.CatchUp(1000).ok());
  // Somebody rebuilds the table from the whole ledger meanwhile.
  const auto full = Expected(log);
  REQUIRE(store.ReplaceAll("pbx", full, log.Head().seq).ok());
  auto r = runner.CatchUp();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kAborted);
  REQUIRE(runner.CatchUp().ok());
  CHECK(runner.checkpoint() == log.Head().seq);
  CHECK(runner.stats().restarts == 1);
  CHECK(store.AllRows("pbx").value() == full);
}

TEST_CASE("a checkpoint beyond the ledger head is refused") {
  store::MemoryEventLog log("pbx");
  FillLedger(log);
  MemoryCallLogStore store;
  REQUIRE(store.ApplyBatch("pbx", Seq{}, Seq{log.Head().seq.value + 10}, {}).ok());
  ProjectionRunner runner(log, store);
  Status s = runner.Start();
  CHECK(s.code() == Code::kFailedPrecondition);
}

TEST_CASE("coalescing keeps the last change of each call") {
  std::vector<RowChange> changes(4);
  changes[0].row.call_id = "a";
  changes[0].row.duration_s = 1;
  changes[1].row.call_id = "b";
  changes[2].row.call_id = "a";
  changes[2].row.duration_s = 2;
  changes[3].op = RowChange::Op::kDelete;
  changes[3].row.call_id = "b";
  auto out = projection::Coalesce(changes);
  REQUIRE(out.size() == 2);
  CHECK(out[0].row.call_id == "a");
  CHECK(out[0].row.duration_s == 2);
  CHECK(out[1].op == RowChange::Op::kDelete);
}

}  // namespace
}  // namespace callledger
