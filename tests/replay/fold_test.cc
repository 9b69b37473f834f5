// FoldLedger (two threads: a reader that verifies and copies records, an
// applier that decodes and projects them) must give exactly the rows of the
// one-threaded ProjectLedger, whatever the records: every captured stream,
// options notes, gaps, reconciles, malformed frames, over many batches.
#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "ari/frame_record.h"
#include "payload/gap.h"
#include "payload/note.h"
#include "payload/reconcile.h"
#include "projection/record_projector.h"
#include "replay/rebuild.h"
#include "replay/synthetic.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

using testing::CapturedStreams;
using testing::ReadLines;

RecordDraft Record(RecordKind kind, std::string payload, std::int64_t at_us) {
  RecordDraft d;
  d.kind = kind;
  d.event_time_us = at_us;
  d.payload = std::move(payload);
  return d;
}

std::vector<CallRow> ByCallId(std::vector<CallRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const CallRow& a, const CallRow& b) { return a.call_id < b.call_id; });
  return rows;
}

// A ledger of every captured stream, replicated with fresh ids, with an
// options note first and a gap + reconcile, a bad reconcile body and a
// malformed frame between the replicas.
void FillLedger(EventLog& log, int replicas) {
  std::vector<std::string> frames;
  for (const auto& stream : CapturedStreams()) {
    for (auto& line : ReadLines(stream)) {
      if (!line.empty()) frames.push_back(std::move(line));
    }
  }
  ari::FrameParser parser;
  std::vector<RecordDraft> drafts;
  drafts.push_back(payload::NoteDraft(
      {.projector_options = payload::ProjectorOptionsNote{std::nullopt, "/srv/recordings"}},
      "projector options", 0));
  const auto empty = payload::JsonText::Verbatim("[]");
  REQUIRE(empty.ok());
  for (int replica = 1; replica <= replicas; ++replica) {
    for (const auto& frame : frames) {
      drafts.push_back(ari::DraftFromFrame(parser, replay::WithFreshIds(frame, replica), 0));
    }
    const std::int64_t at = 1795683390000000 + replica * 1000000LL;
    drafts.push_back(payload::GapDraft({"test", at - 1, at, std::nullopt, std::nullopt}));
    drafts.push_back(payload::ReconcileDraft({*empty, *empty}, at + 1));
    drafts.push_back(Record(RecordKind::kReconcile, "not json", at + 2));
    drafts.push_back(ari::DraftFromFrame(parser, "{\"type\": \"StasisStart\", ", 0));
  }
  REQUIRE(log.Append(drafts).ok());
}

TEST_CASE("FoldLedger gives the rows of the one-threaded projection, to any seq") {
  store::MemoryEventLog log("pbx");
  FillLedger(log, 4);
  const Seq head = log.Head().seq;
  REQUIRE(head.value > 4 * 512);  // more batches than the fold has buffers

  for (const Seq to : {head, Seq{head.value / 2}, Seq{511}, Seq{512}, Seq{513}, Seq{1}}) {
    CAPTURE(to.value);
    auto expected = projection::ProjectLedger(log, Seq{1}, to);
    REQUIRE(expected.ok());
    auto folded = replay::FoldLedger(log, to);
    REQUIRE(folded.ok());
    CHECK(folded->records == to.value);
    CHECK(folded->rows == ByCallId(expected.value()));
    CHECK(folded->row_count == folded->rows.size());
    CHECK(folded->withdrawn.empty());
    if (to == head) {
      CHECK(!folded->rows.empty());
      CHECK(folded->skipped >= 3);  // the bad reconcile bodies
    }
  }
}

TEST_CASE("FoldLedger stops with kDataLoss at a damaged record") {
  store::MemoryEventLog log("pbx");
  FillLedger(log, 1);
  log.TamperForTest(Seq{1000}, 0, '\x7f');
  auto folded = replay::FoldLedger(log, log.Head().seq);
  REQUIRE(!folded.ok());
  CHECK(folded.status().code() == Code::kDataLoss);
  CHECK(folded.status().message().find("seq 1000") != std::string::npos);
}

// What a writer of the hand-outs ends up with: every row handed out, less
// the withdrawn ones, plus the rows not handed out as they are.
TEST_CASE("FoldLedger's hand-outs, withdrawals and the rest add up to the fold's rows") {
  store::MemoryEventLog log("pbx");
  FillLedger(log, 3);
  auto expected = projection::ProjectLedger(log);
  REQUIRE(expected.ok());
  const auto want = ByCallId(expected.value());

  std::uint64_t withdrawn_total = 0;
  for (const std::uint64_t settle :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{300}, std::uint64_t{5000},
        std::uint64_t{1} << 40, std::numeric_limits<std::uint64_t>::max()}) {
    for (const std::size_t per : {std::size_t{1}, std::size_t{7}, std::size_t{256}}) {
      CAPTURE(settle, per);
      std::map<std::string, CallRow> given;
      std::size_t hand_outs = 0;
      replay::FoldOptions options;
      options.settle_after_records = settle;
      options.hand_out_rows = per;
      options.settled = [&](std::vector<CallRow> rows) {
        ++hand_outs;
        CHECK(!rows.empty());
        CHECK(rows.size() <= per);
        for (auto& r : rows) {
          CHECK(r.status == CallStatus::kFinished);
          CHECK(given.emplace(r.call_id, std::move(r)).second);  // never twice
        }
        return Status::Ok();
      };
      auto folded = replay::FoldLedger(log, log.Head().seq, options);
      REQUIRE(folded.ok());
      CHECK(folded->row_count == want.size());
      if (settle >= (std::uint64_t{1} << 40)) {  // beyond the ledger: nothing settles
        CHECK(given.empty());
        CHECK(folded->rows == want);
      }
      if (settle <= 300) CHECK(given.size() > want.size() / 2);

      // Handed out, less the withdrawn, plus the rows returned: the rows.
      std::map<std::string, CallRow> rebuilt = given;
      for (const auto& id : folded->withdrawn) {
        CHECK(given.count(id) == 1);
        rebuilt.erase(id);
      }
      for (const CallRow& r : folded->rows) {
        CHECK(rebuilt.emplace(r.call_id, r).second);  // not handed out as it is
      }
      std::vector<CallRow> result;
      for (auto& [id, r] : rebuilt) result.push_back(r);
      CHECK(result == want);
      withdrawn_total += folded->withdrawn.size();
    }
  }
  // Rows of finished calls do change again (a late recording, a reconcile):
  // the withdrawals above were exercised, not merely allowed.
  CHECK(withdrawn_total > 0);
}

TEST_CASE("FoldLedger stops at the first hand-out that fails, with its error") {
  store::MemoryEventLog log("pbx");
  FillLedger(log, 2);
  replay::FoldOptions options;
  options.settle_after_records = 0;
  options.hand_out_rows = 1;
  int calls = 0;
  options.settled = [&](std::vector<CallRow>) {
    return ++calls == 3 ? Unavailable("the store went away") : Status::Ok();
  };
  auto folded = replay::FoldLedger(log, log.Head().seq, options);
  REQUIRE(!folded.ok());
  CHECK(folded.status().code() == Code::kUnavailable);
  CHECK(calls == 3);
}

}  // namespace
}  // namespace callledger
