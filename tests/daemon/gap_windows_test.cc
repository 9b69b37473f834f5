// Gap windows (cel/gap_windows.h): where each gap's window begins and
// what closes it, and the last record heard from Asterisk before a run.
#include "cel/gap_windows.h"

#include <catch2/catch.hpp>

#include <vector>

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
  GapWindows heard(HeardAt{Seq{41}, 700});
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

TEST_CASE("last heard from Asterisk: the last frame or cel record, by its event time") {
  store::MemoryEventLog log("pbx");
  auto heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  CHECK_FALSE(heard->has_value());  // a new ledger

  std::vector<RecordDraft> drafts = {
      Draft(RecordKind::kAriEvent, 100, 150), Draft(RecordKind::kGap, 300, 300),
      Draft(RecordKind::kReconcile, 310, 310), Draft(RecordKind::kNote, 400, 400)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  REQUIRE(heard->has_value());
  CHECK((*heard)->seq == Seq{1});
  CHECK((*heard)->time_us == 100);  // the frame's event time, not when it arrived

  // A frame without a usable timestamp counts by its arrival.
  drafts = {Draft(RecordKind::kMalformed, 0, 500), Draft(RecordKind::kNote, 600, 600)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  CHECK((*heard)->seq == Seq{5});
  CHECK((*heard)->time_us == 500);

  drafts = {Draft(RecordKind::kCel, 900, 950)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log);
  REQUIRE(heard.ok());
  CHECK((*heard)->seq == Seq{7});
  CHECK((*heard)->time_us == 900);

  // Out of reach behind the daemon's own records.
  drafts = {Draft(RecordKind::kNote, 1000, 1000), Draft(RecordKind::kGap, 1100, 1100)};
  REQUIRE(log.Append(drafts).ok());
  heard = LastHeardFromAsterisk(log, 2);
  REQUIRE(heard.ok());
  CHECK_FALSE(heard->has_value());
}

}  // namespace
}  // namespace callledger::cel
