// Rules of the projector that need records the captures cannot give (gap and
// reconcile records), and guards on its determinism (its purity:
// tests/boundaries/boundaries_test.cc).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "ari/frame_record.h"
#include "cel_captures.h"
#include "core/projector.h"
#include "payload/gap.h"
#include "payload/note.h"
#include "payload/reconcile.h"
#include "projection/record_projector.h"
#include "record/record_codec.h"
#include "replay/fixture.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

using testing::CaptureDir;
using testing::ReadFile;
using testing::ReadLines;

RecordDraft Frame(const std::string& line) {
  ari::FrameParser parser;
  return ari::DraftFromFrame(parser, line, 0);
}

RecordDraft Reconcile(const std::string& channels_json, const std::string& bridges_json,
                      std::int64_t at_us) {
  auto channels = payload::JsonText::Verbatim(channels_json);
  auto bridges = payload::JsonText::Verbatim(bridges_json);
  REQUIRE(channels.ok());
  REQUIRE(bridges.ok());
  return payload::ReconcileDraft({*channels, *bridges}, at_us);
}

RecordDraft Gap(std::int64_t at_us) {
  return payload::GapDraft({payload::GapReasonConnected("closed by Asterisk"), at_us - 2000000,
                            at_us, std::nullopt, std::nullopt});
}

RecordDraft OptionsNote(payload::ProjectorOptionsNote options) {
  return payload::NoteDraft({.projector_options = std::move(options)}, "projector options", 0);
}

std::vector<CallRow> Project(const EventLog& log) {
  auto rows = projection::ProjectLedger(log);
  REQUIRE(rows.ok());
  return rows.value();
}

// 2026-11-26T09:16:30Z: after every event of scenario a.
constexpr std::int64_t kReconcileAt = 1795684590000000;

TEST_CASE("a gap then a reconcile closes a call that ended inside the gap") {
  store::MemoryEventLog log("pbx");
  const auto lines = ReadLines(CaptureDir() / "a-inbound-answered.observer.jsonl");
  // Keep the frames up to (not including) the call channel's hangup.
  std::vector<RecordDraft> drafts;
  for (const auto& line : lines) {
    if (line.find("\"ChannelHangupRequest\"") != std::string::npos) break;
    drafts.push_back(Frame(line));
  }
  REQUIRE(log.Append(drafts).ok());
  auto live = Project(log);
  REQUIRE(live.size() == 1);
  CHECK(live[0].status == CallStatus::kTalking);

  std::vector<RecordDraft> tail = {Gap(kReconcileAt - 1000), Reconcile("[]", "[]", kReconcileAt)};
  REQUIRE(log.Append(tail).ok());
  auto rows = Project(log);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == CallStatus::kFinished);
  CHECK(rows[0].end_estimated);
  CHECK(rows[0].end_reason == EndReason::kGap);
  CHECK(rows[0].end_us == kReconcileAt);
  CHECK(rows[0].answered);
  CHECK(rows[0].disposition == "answered");
  CHECK(rows[0].last_seq == log.Head().seq);
}

TEST_CASE("a reconcile opens a call that began inside a gap, and a later one closes it") {
  store::MemoryEventLog log("pbx");
  // The captured GET /ari/channels and /ari/bridges, taken while scenario a's
  // call was bridged to agent 101.
  const std::string channels = ReadFile(CaptureDir() / "api" / "channels-live.json");
  const std::string bridges = ReadFile(CaptureDir() / "api" / "bridges-live.json");
  std::vector<RecordDraft> first = {Gap(kReconcileAt - 5000),
                                    Reconcile(channels, bridges, kReconcileAt)};
  REQUIRE(log.Append(first).ok());
  auto rows = Project(log);
  REQUIRE(rows.size() == 1);  // the agent leg (Stasis "agent" args) is not a call
  CHECK(rows[0].channel_id == "1795684558.5");
  CHECK(rows[0].call_id == "1795684558.5");
  CHECK(rows[0].direction == "kiruvchi");
  CHECK(rows[0].from_number == "998901234567");
  CHECK(rows[0].status == CallStatus::kTalking);
  CHECK(rows[0].answered);
  CHECK(rows[0].start_us == 1795684558161000);  // the channel's creationtime

  std::vector<RecordDraft> second = {Gap(kReconcileAt + 60000000),
                                     Reconcile("[]", "[]", kReconcileAt + 61000000)};
  REQUIRE(log.Append(second).ok());
  rows = Project(log);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == CallStatus::kFinished);
  CHECK(rows[0].end_estimated);
  CHECK(rows[0].end_reason == EndReason::kGap);
  CHECK(rows[0].end_us == kReconcileAt + 61000000);
}

// The daemon asks for the snapshot after it has reconnected, while frames
// keep coming: a call first seen after the gap record is newer than the
// snapshot may show, and must not be closed by it.
TEST_CASE("a reconcile leaves alone a call first seen after the gap") {
  store::MemoryEventLog log("pbx");
  std::vector<RecordDraft> drafts = {Gap(kReconcileAt - 60000000)};
  for (const auto& line : ReadLines(CaptureDir() / "a-inbound-answered.observer.jsonl")) {
    if (line.find("\"ChannelHangupRequest\"") != std::string::npos) break;
    drafts.push_back(Frame(line));
  }
  drafts.push_back(Reconcile("[]", "[]", kReconcileAt));  // taken before the call existed
  REQUIRE(log.Append(drafts).ok());
  auto rows = Project(log);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == CallStatus::kTalking);
  CHECK_FALSE(rows[0].end_estimated);
  CHECK(rows[0].end_reason == EndReason::kNone);
  // The rest of the call still ends it normally.
  std::vector<RecordDraft> tail;
  bool after = false;
  for (const auto& line : ReadLines(CaptureDir() / "a-inbound-answered.observer.jsonl")) {
    after = after || line.find("\"ChannelHangupRequest\"") != std::string::npos;
    if (after) tail.push_back(Frame(line));
  }
  REQUIRE(log.Append(tail).ok());
  rows = Project(log);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == CallStatus::kFinished);
  CHECK_FALSE(rows[0].end_estimated);
  CHECK(rows[0].end_reason == EndReason::kHangup);
  CHECK(rows[0].hangup_cause == 16);
}

// A daemon that reads the WebSocket late records the snapshot before frames
// stamped earlier than it (the fault campaign saw 4 s at a daemon's start
// on a loaded PBX). A bridge the snapshot shows that Asterisk made after
// the daemon connected is left to its own events: taken early, it joined
// the call to the agent before the caller was Up, an answer 3 ms early.
TEST_CASE("a snapshot's bridge made after the connection is left to its events") {
  const auto lines = ReadLines(testing::SourceDir() / "fixtures" / "asterisk-cel" /
                               "a-inbound-answered.observer.jsonl");
  const std::string bridges = ReadFile(testing::SourceDir() / "fixtures" / "asterisk-cel" /
                                       "a-inbound-answered.api-bridges.json");
  REQUIRE(bridges.find(R"("creationtime":"2026-12-07T16:44:50.390+0500")") != std::string::npos);
  store::MemoryEventLog uncut("pbx");
  store::MemoryEventLog late("pbx");
  std::vector<RecordDraft> frames;
  for (const auto& line : lines) frames.push_back(Frame(line));
  REQUIRE(uncut.Append(frames).ok());
  // Connected before the call began; the snapshot (no channels yet, the
  // bridge made at 16:44:50.390) lands before the frames of the answer.
  const std::int64_t connected = frames.front().event_time_us - 1000;
  std::vector<RecordDraft> drafts = {Gap(connected)};
  std::size_t i = 0;
  for (; i < lines.size() && lines[i].find("T16:44:50.3") == std::string::npos; ++i) {
    drafts.push_back(frames[i]);
  }
  REQUIRE(i > 0);
  REQUIRE(i < lines.size());
  drafts.push_back(Reconcile("[]", bridges, frames.back().event_time_us));
  for (; i < lines.size(); ++i) drafts.push_back(frames[i]);
  REQUIRE(late.Append(drafts).ok());
  const auto want = Project(uncut);
  const auto got = Project(late);
  REQUIRE(want.size() == 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].answer_us == want[0].answer_us);
  CHECK(got[0].end_us == want[0].end_us);
  CHECK(got[0].disposition == want[0].disposition);

  // A bridge made before the connection (in the gap) is the snapshot's to
  // tell: connected after it, the bridge is taken.
  store::MemoryEventLog hidden("pbx");
  drafts.front() = Gap(frames.back().event_time_us);
  REQUIRE(hidden.Append(drafts).ok());
  const auto taken = Project(hidden);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].answer_us < want[0].answer_us);
}

TEST_CASE("duplicate frames change nothing") {
  for (const auto& stream : testing::AllCapturedStreams()) {
    INFO(stream.filename().string());
    store::MemoryEventLog once("pbx"), twice("pbx");
    std::vector<RecordDraft> a, b;
    for (const auto& line : ReadLines(stream)) {
      a.push_back(Frame(line));
      b.push_back(Frame(line));
      b.push_back(Frame(line));
    }
    REQUIRE(once.Append(a).ok());
    REQUIRE(twice.Append(b).ok());
    auto x = Project(once);
    auto y = Project(twice);
    REQUIRE(x.size() == y.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      CallRow l = x[i], r = y[i];
      l.first_seq = r.first_seq = Seq{};
      l.last_seq = r.last_seq = Seq{};
      CHECK(l == r);
    }
  }
}

TEST_CASE("projector options come from note records, not from configuration") {
  store::MemoryEventLog log("pbx");
  std::vector<RecordDraft> drafts = {OptionsNote({"queue-app", std::nullopt})};
  for (const auto& line : ReadLines(CaptureDir() / "a-inbound-answered.observer.jsonl"))
    drafts.push_back(Frame(line));
  REQUIRE(log.Append(drafts).ok());
  // The capture's calls enter Stasis(call-center): with the call app set to
  // another name by the note, none of them is a call.
  CHECK(Project(log).empty());

  store::MemoryEventLog rec("pbx");
  drafts = {OptionsNote({std::nullopt, "/srv/rec"})};
  for (const auto& line : ReadLines(CaptureDir() / "f-inbound-recorded-ari.observer.jsonl"))
    drafts.push_back(Frame(line));
  REQUIRE(rec.Append(drafts).ok());
  auto rows = Project(rec);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].recording_path == "/srv/rec/1795684614.33.wav");
}

TEST_CASE("changes applied one record at a time end in the rows of a whole fold") {
  store::MemoryEventLog log("pbx");
  std::vector<RecordDraft> drafts;
  for (const auto& stream : testing::CapturedStreams()) {
    for (const auto& line : ReadLines(stream)) drafts.push_back(Frame(line));
  }
  REQUIRE(log.Append(drafts).ok());
  projection::RecordProjector projector("pbx");
  projection::RowSet rows;
  std::uint64_t changes_seen = 0;
  REQUIRE(log.ScanEncoded(Seq{1}, Seq{UINT64_MAX},
                          [&](Seq, std::string_view bytes) {
                            auto r = DecodeRecord(bytes);
                            REQUIRE(r.ok());
                            std::vector<RowChange> changes;
                            projector.Apply(*r, &changes);
                            for (const auto& ch : changes) CHECK(ch.row.last_seq == r->seq);
                            changes_seen += changes.size();
                            rows.Apply(changes);
                            return true;
                          })
              .ok());
  CHECK(rows.Sorted() == Project(log));
  CHECK(changes_seen > rows.size());
  CHECK(projector.skipped() == 0);
}

// The projector's sources may not reach for a clock, randomness, threads,
// hash-ordered containers, I/O or any adapter library (DESIGN invariant 3).
// Calls and channels the projector can forget, and when: a finished call
// goes once no record has changed it for kEvictAfterRecords records (the
// sweep runs every 10,000 records); a live call, and its channel, stay.
TEST_CASE("the sweep forgets finished calls past the horizon, and only those") {
  Projector p("pbx");
  std::vector<RowChange> changes;
  std::uint64_t seq = 0;
  auto event = [&](const std::string& type, const std::string& channel) {
    AriEvent e;
    e.type = type;
    e.application = "call-center";
    e.channel.emplace();
    e.channel->id = channel;
    e.channel->state = "Ring";
    ProjectorInput in;
    in.seq = Seq{++seq};
    in.kind = RecordKind::kAriEvent;
    in.time_us = 1795683390000000 + static_cast<std::int64_t>(seq);
    in.event = &e;
    p.Apply(in, &changes);
  };
  auto idle_until = [&](std::uint64_t last) {
    while (seq < last) {
      ProjectorInput in;
      in.seq = Seq{++seq};
      p.Apply(in, &changes);
    }
  };
  event("StasisStart", "1.1");  // finished at once
  event("StasisEnd", "1.1");
  event("StasisStart", "1.2");  // never finished
  event("StasisStart", "1.3");  // finished, reopened later, finished again
  event("StasisEnd", "1.3");
  idle_until(150000);
  event("StasisStart", "1.3");
  event("StasisEnd", "1.3");
  const std::uint64_t last_change_of_3 = seq;
  CHECK(p.tracked_calls() == 3);

  idle_until(Projector::kEvictAfterRecords + 10000);  // horizon 10,000
  CHECK(p.tracked_calls() == 2);
  CHECK(p.tracked_channels() == 2);
  // A late event for the forgotten call changes nothing.
  changes.clear();
  event("StasisEnd", "1.1");
  CHECK(changes.empty());

  idle_until((last_change_of_3 + Projector::kEvictAfterRecords) / 10000 * 10000);
  CHECK(p.tracked_calls() == 2);  // the horizon is not past call 1.3 yet
  idle_until((last_change_of_3 + Projector::kEvictAfterRecords) / 10000 * 10000 + 10000);
  CHECK(p.tracked_calls() == 1);
  CHECK(p.tracked_channels() == 2);  // 1.2's, and 1.1's: the late event was news of it
  const auto live = p.LiveRows();
  REQUIRE(live.size() == 1);
  CHECK(live[0].call_id == "1.2");
}

// What fuzzing found (tests/fuzz/findings): a reconcile timed before a
// call's start, and a hangup frame without a time, ended calls before they
// began. An end is never before the start, nor before the answer.
TEST_CASE("fuzz findings: no row ends before it began or was answered") {
  const auto dir = testing::SourceDir() / "tests" / "fuzz" / "findings";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".jsonl") continue;
    ++files;
    INFO(entry.path().filename().string());
    auto run = replay::RunFixture(entry.path(), {});
    REQUIRE(run.ok());
    REQUIRE_FALSE(run->rows.empty());
    for (const CallRow& row : run->rows) {
      if (row.status != CallStatus::kFinished) continue;
      CHECK(row.end_us >= row.start_us);
      if (row.answered) CHECK(row.answer_us >= row.start_us);
      if (row.answered) CHECK(row.end_us >= row.answer_us);
      CHECK(row.duration_s.value_or(0) >= 0);
    }
  }
  CHECK(files == 2);
}

}  // namespace
}  // namespace callledger
