// Gap windows (cel/gap_windows.h): where each gap's window begins and
// what closes it, and the last record heard from Asterisk before a run.
#include "cel/gap_windows.h"

#include <catch2/catch.hpp>

#include <vector>

#include "payload/cel.h"
#include "payload/gap.h"
#include "store/memory_event_log.h"

namespace callledger::cel {
namespace {

RecordDraft Draft(RecordKind kind, std::int64_t event_time_us, std::int64_t received_at_us) {
  RecordDraft d;
  d.kind = kind;
  d.event_time_us = event_time_us;
  d.received_at_us = received_at_us;
  d.payload = "{}";
  return d;
}

TEST_CASE("a reconnect's window runs from the disconnect to the reconcile") {
  GapWindows w(std::nullopt);
  w.OnConnectionGap(1000, 2000);
  const auto closed = w.OnSnapshot(2500);
  REQUIRE(closed.has_value());
  CHECK(closed->since_us == 1000);
  CHECK(closed->until_us == 2500);
  CHECK(closed->origin == "window from the disconnect before this connection");
  CHECK_FALSE(w.OnSnapshot(3000).has_value());  // nothing open any more
}

TEST_CASE("the first connection's window begins at the last record heard before the run") {
  GapWindows heard(HeardAt{Seq{41}, 700, std::nullopt});
  heard.OnConnectionGap(0, 2000);
  auto closed = heard.OnSnapshot(2100);
  REQUIRE(closed.has_value());
  CHECK(closed->since_us == 700);
  CHECK(closed->origin ==
        "window from the last record heard from Asterisk before this run (seq 41)");

  GapWindows fresh(std::nullopt);
  fresh.OnConnectionGap(0, 2000);
  closed = fresh.OnSnapshot(2100);
  REQUIRE(closed.has_value());
  CHECK(closed->since_us == 2000);
  CHECK_THAT(closed->origin, Catch::StartsWith("no record heard from Asterisk before this run"));
}

TEST_CASE("a connection lost before its reconcile: one window over both gaps") {
  GapWindows w(std::nullopt);
  w.OnConnectionGap(1000, 2000);
  w.OnConnectionGap(2200, 3000);
  const auto closed = w.OnSnapshot(3100);
  REQUIRE(closed.has_value());
  CHECK(closed->since_us == 1000);
  CHECK(closed->until_us == 3100);
  CHECK_THAT(closed->origin, Catch::EndsWith("the connection after it ended before its reconcile"));
}

TEST_CASE("an overflow is its own window, unless a connection's window is open") {
  GapWindows w(std::nullopt);
  auto alone = w.OnOverflowGap(5000, 6000);
  REQUIRE(alone.has_value());
  CHECK(*alone == GapWindow{5000, 6000, "window of frames dropped from the full ingest queue"});

  w.OnConnectionGap(7000, 8000);
  CHECK_FALSE(w.OnOverflowGap(6500, 8100).has_value());
  const auto closed = w.OnSnapshot(8200);
  REQUIRE(closed.has_value());
  CHECK(closed->since_us == 6500);  // the earlier of the two
  CHECK(closed->until_us == 8200);
}

// The daemon's records as it writes them: a connection's gap (since_us 0:
// the daemon started), a reconcile, and a window's cel record.
RecordDraft GapDraft(std::int64_t since_us, std::int64_t at_us) {
  RecordDraft d = Draft(RecordKind::kGap, at_us, at_us);
  payload::GapPayload gap;
  gap.reason = "connected to ARI after: test";
  gap.since_us = since_us;
  gap.until_us = at_us;
  d.payload = payload::EncodeGap(gap);
  return d;
}

RecordDraft CelDraft(std::int64_t since_us, std::int64_t until_us, std::uint64_t part,
                     bool last_part) {
  RecordDraft d = Draft(RecordKind::kCel, until_us, until_us + 1000);
  payload::CelPayload cel;
  cel.file = "/var/log/asterisk/cel-custom/cel.jsonl";
  cel.since_us = since_us;
  cel.until_us = until_us;
  cel.part = part;
  cel.last_part = last_part;
  d.payload = payload::EncodeCel(cel);
  return d;
}

TEST_CASE("last heard from Asterisk: the last frame or cel record, by its event time") {
  store::MemoryEventLog log("pbx");
  auto heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  CHECK_FALSE(heard->has_value());  // a new ledger

  // A run: its gap, reconcile and window recorded whole, then frames.
  std::vector<RecordDraft> drafts = {
      GapDraft(0, 50), Draft(RecordKind::kReconcile, 60, 60), CelDraft(0, 60, 1, true),
      Draft(RecordKind::kAriEvent, 100, 150), Draft(RecordKind::kNote, 400, 400)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  REQUIRE(heard->has_value());
  CHECK((*heard)->seq == Seq{4});
  CHECK((*heard)->time_us == 100);  // the frame's event time, not when it arrived
  CHECK_FALSE((*heard)->unrecorded_gap.has_value());

  // A frame without a usable timestamp counts by its arrival.
  drafts = {Draft(RecordKind::kMalformed, 0, 500), Draft(RecordKind::kNote, 600, 600)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  CHECK((*heard)->seq == Seq{6});
  CHECK((*heard)->time_us == 500);

  // A reconnect whose window was recorded whole: the cel record is the last heard.
  drafts = {GapDraft(500, 800), Draft(RecordKind::kReconcile, 850, 850),
            CelDraft(450, 850, 1, true)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  CHECK((*heard)->seq == Seq{10});
  CHECK((*heard)->time_us == 850);
  CHECK_FALSE((*heard)->unrecorded_gap.has_value());

  // Out of reach behind the daemon's own records.
  drafts = {Draft(RecordKind::kNote, 1000, 1000), Draft(RecordKind::kNote, 1100, 1100)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log, 2);
  REQUIRE(heard.ok());
  CHECK_FALSE(heard->has_value());
}

TEST_CASE("a run killed before its window was recorded whole: the next reaches back to it") {
  store::MemoryEventLog log("pbx");
  // Run 1: frames up to 100, then killed.
  std::vector<RecordDraft> drafts = {GapDraft(0, 10), Draft(RecordKind::kReconcile, 20, 20),
                                     CelDraft(0, 20, 1, true),
                                     Draft(RecordKind::kAriEvent, 100, 100)};
  // Run 2: its gap and reconcile, frames, then killed before its window's
  // last part (the cel record with last_part false stands for parts
  // appended before the kill).
  drafts.push_back(GapDraft(0, 300));                         // seq 5
  drafts.push_back(Draft(RecordKind::kReconcile, 310, 310));  // seq 6
  drafts.push_back(Draft(RecordKind::kAriEvent, 400, 400));   // seq 7
  drafts.push_back(CelDraft(100, 310, 1, false));             // seq 8
  drafts.push_back(Draft(RecordKind::kAriEvent, 500, 500));   // seq 9
  REQUIRE(log.Append(drafts).ok());
  auto heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  REQUIRE(heard->has_value());
  // Run 3's window begins where run 2's should have: at run 1's last frame.
  CHECK((*heard)->seq == Seq{4});
  CHECK((*heard)->time_us == 100);
  REQUIRE((*heard)->unrecorded_gap.has_value());
  CHECK(*(*heard)->unrecorded_gap == Seq{5});
  GapWindows w(*heard);
  w.OnConnectionGap(0, 700);
  const auto closed = w.OnSnapshot(710);
  REQUIRE(closed.has_value());
  CHECK(closed->since_us == 100);
  CHECK(closed->origin ==
        "window from the start of an earlier gap (seq 5) whose CEL window was not recorded "
        "whole (seq 4)");

  // Run 3 records that window whole: run 4 starts from the last record heard.
  drafts = {GapDraft(0, 700),
            Draft(RecordKind::kReconcile, 710, 710),
            Draft(RecordKind::kAriEvent, 720, 720),
            CelDraft(50, 710, 1, false),
            CelDraft(50, 710, 2, true),
            Draft(RecordKind::kAriEvent, 800, 800)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  CHECK((*heard)->time_us == 800);
  CHECK_FALSE((*heard)->unrecorded_gap.has_value());
}

// A new ledger's first run connected and was killed before its reconcile
// (no frame, no window); the next run was killed before connecting. The
// third run's window begins at the first run's connection: the stream
// began there, and nothing of it was recorded or read from CEL.
TEST_CASE("a first run killed before its window: the next window begins at its connection") {
  store::MemoryEventLog log("pbx");
  std::vector<RecordDraft> drafts = {Draft(RecordKind::kNote, 90, 90), GapDraft(0, 100),
                                     Draft(RecordKind::kNote, 900, 900)};
  REQUIRE(log.Append(drafts).ok());
  auto heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  REQUIRE(heard->has_value());
  CHECK((*heard)->time_us == 100);
  CHECK((*heard)->seq == Seq{2});
  REQUIRE((*heard)->unrecorded_gap.has_value());
  CHECK(*(*heard)->unrecorded_gap == Seq{2});

  // Once a window recorded whole covers it, nothing reaches back.
  drafts = {GapDraft(0, 1000), Draft(RecordKind::kReconcile, 1010, 1010),
            CelDraft(50, 1010, 1, true)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  CHECK((*heard)->time_us == 1010);
  CHECK_FALSE((*heard)->unrecorded_gap.has_value());
}

TEST_CASE("a gap killed before its reconcile, and a window recorded only in part of it") {
  store::MemoryEventLog log("pbx");
  // A drop at 200 (reconnect gap since 200), killed before the reconcile;
  // the next run's window was recorded whole but only from 250.
  std::vector<RecordDraft> drafts = {Draft(RecordKind::kAriEvent, 200, 200),
                                     GapDraft(200, 260),  // no reconcile after it
                                     GapDraft(0, 300),
                                     Draft(RecordKind::kReconcile, 310, 310),
                                     CelDraft(250, 310, 1, true),
                                     Draft(RecordKind::kAriEvent, 400, 400)};
  REQUIRE(log.Append(drafts).ok());
  auto heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  REQUIRE(heard->has_value());
  CHECK((*heard)->time_us == 200);  // the disconnect of the gap not covered
  REQUIRE((*heard)->unrecorded_gap.has_value());
  CHECK(*(*heard)->unrecorded_gap == Seq{2});

  // A window recorded whole from before the disconnect covers it.
  drafts = {GapDraft(0, 500), Draft(RecordKind::kReconcile, 510, 510), CelDraft(150, 510, 1, true)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  CHECK((*heard)->time_us == 510);
  CHECK_FALSE((*heard)->unrecorded_gap.has_value());
}

}  // namespace
}  // namespace callledger::cel
