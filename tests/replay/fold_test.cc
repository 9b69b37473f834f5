// FoldLedger (two threads: a reader that verifies and copies records, an
// applier that decodes and projects them) must give exactly the rows of the
// one-threaded ProjectLedger, whatever the records: every captured stream,
// options notes, gaps, reconciles, malformed frames, over many batches.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ari/event_decoder.h"
#include "ari/frame_record.h"
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
  drafts.push_back(Record(RecordKind::kNote,
                          ari::EncodeOptionsNote({{"recordings_dir", "/srv/recordings"}}), 0));
  for (int replica = 1; replica <= replicas; ++replica) {
    for (const auto& frame : frames) {
      drafts.push_back(ari::DraftFromFrame(parser, replay::WithFreshIds(frame, replica), 0));
    }
    const std::int64_t at = 1795683390000000 + replica * 1000000LL;
    drafts.push_back(Record(RecordKind::kGap, "{\"reason\":\"test\"}", at));
    drafts.push_back(Record(RecordKind::kReconcile, "{\"channels\":[],\"bridges\":[]}", at + 1));
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
    std::uint64_t records = 0, skipped = 0;
    auto folded = replay::FoldLedger(log, to, {}, &records, &skipped);
    REQUIRE(folded.ok());
    CHECK(records == to.value);
    CHECK(folded.value() == ByCallId(expected.value()));
    if (to == head) {
      CHECK(!folded->empty());
      CHECK(skipped >= 3);  // the bad reconcile bodies
    }
  }
}

TEST_CASE("FoldLedger stops with kDataLoss at a damaged record") {
  store::MemoryEventLog log("pbx");
  FillLedger(log, 1);
  log.TamperForTest(Seq{1000}, 0, '\x7f');
  auto folded = replay::FoldLedger(log, log.Head().seq, {}, nullptr, nullptr);
  REQUIRE(!folded.ok());
  CHECK(folded.status().code() == Code::kDataLoss);
  CHECK(folded.status().message().find("seq 1000") != std::string::npos);
}

}  // namespace
}  // namespace callledger
