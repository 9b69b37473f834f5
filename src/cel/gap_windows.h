// The windows of time a gap may have hidden, as the ingest records the gap
// and what closes it (issue 12): the CEL lines of each window are read and
// recorded after it closes (daemon/cel_collector.h).
//
//   - A connection's gap opens a window at the last moment the daemon heard
//     from Asterisk: the disconnect (the gap's since_us); for the first
//     connection of a run, the last record heard before this run (below).
//     The connection's reconcile (or the REST answer kept instead of one)
//     closes it at its time. A connection that ends before its snapshot
//     leaves the window open, and the next connection's snapshot closes it:
//     the window then spans both gaps.
//   - An overflow gap (frames dropped from a full queue) has no snapshot: it
//     is its own window [since_us, until_us], unless a connection's window
//     is open, which then takes it in.
//
// GapWindows is the pure bookkeeping, fed in append order by the ingest's
// appender thread (and by the simulated run of replay/cut_replay.h, so that
// both have the same windows); not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/event_log.h"
#include "core/status.h"

namespace callledger::cel {

// A window to read CEL lines for. `origin` says, for the record's notes,
// where since_us comes from.
struct GapWindow {
  std::int64_t since_us = 0;
  std::int64_t until_us = 0;
  std::string origin;

  friend bool operator==(const GapWindow&, const GapWindow&) = default;
};

// Where the first window of a run begins: the last moment the daemon heard
// from Asterisk before the run, or earlier, when an earlier gap's window was
// never recorded whole.
//
// Heard from Asterisk: a frame (ari_event, malformed) or CEL evidence (cel).
// A frame's time is its event time (ARI's timestamp: Asterisk's clock, like
// CEL's eventtime), or received_at_us when it has none; a cel record's is
// its window's end. The event time, not the time received: an event Asterisk
// sent after the last one the daemon kept carries a later event time, but
// may have been created before that one was received (under load, seconds
// before), so the event time is where lost events can begin.
//
// A window recorded whole: its cel records up to the one marked last_part.
// A daemon killed before that (in its settle wait, between two parts, or
// before the gap's reconcile) leaves that gap's window unrecorded; nothing
// else would ever read those lines, so the next run's first window reaches
// back to the start of the earliest such gap: its disconnect (since_us), or
// for the first connection of a run the last record heard before it. A gap
// counts as recorded when windows recorded whole cover it, from its start to
// its reconcile; an overflow gap is its own window.
struct HeardAt {
  Seq seq;  // the record that gives the time
  std::int64_t time_us = 0;
  // Set when an earlier gap's window was not recorded whole: that gap's seq.
  std::optional<Seq> unrecorded_gap;
};
// Walks back from the head over at most `max_records` records. A first
// connection with nothing heard before it in reach starts at itself (as
// the window of a run with nothing heard does). nullopt when no record in
// reach was heard from Asterisk and no gap is in reach (a new ledger).
// kDataLoss if a record does not decode. A gap or cel payload that does not
// parse counts as a gap since the daemon started, or as heard without a
// window.
Result<std::optional<HeardAt>> LastHeardFromAsterisk(const EventLog& log,
                                                     std::uint64_t max_records = 10000);

class GapWindows {
 public:
  explicit GapWindows(std::optional<HeardAt> heard_before_start)
      : heard_before_start_(heard_before_start) {}

  // A connection's gap record: `since_us` 0 means the daemon just started.
  void OnConnectionGap(std::int64_t since_us, std::int64_t until_us);
  // An overflow gap record: the window, unless a connection's is open.
  std::optional<GapWindow> OnOverflowGap(std::int64_t since_us, std::int64_t until_us);
  // A connection's reconcile (or the REST answer kept instead): closes the
  // open window at `at_us`.
  std::optional<GapWindow> OnSnapshot(std::int64_t at_us);

 private:
  std::optional<HeardAt> heard_before_start_;
  std::optional<GapWindow> open_;
};

}  // namespace callledger::cel
