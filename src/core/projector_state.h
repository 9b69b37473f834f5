// What the projector keeps between records (core/projector.h), and the one
// way to change a row.
//
//   Channel    what the rules need of an ARI channel
//   Call       a call: its row (read-only here) and facts that are not columns
//   RowEdits   the rows the current record changed: Edit(call) hands out a
//              RowHandle after keeping the row's pre-image; Emit turns the
//              rows that really changed into RowChanges
//   RowHandle  the only way to a mutable CallRow
//   ObservedEvent  an ARI event as its handler gets it, channels looked up
//
// A rule cannot change a row without it being emitted: Call keeps its row
// private, and only RowEdits, which records the pre-image first, can make
// a RowHandle. tests/projection/row_edits_test.cc holds the compile-time
// checks of this and the tests of Emit.
//
// Plain values, not thread-safe; owned by one Projector. A RowHandle, and
// RowEdits' list of the calls it edited, point into the projector's map of
// calls: they are valid for the record being applied only (calls are erased
// only by Withdraw, which drops the call's edit first, and by the sweep,
// which runs after Emit).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/ari_event.h"
#include "core/call_row.h"
#include "core/record.h"

namespace callledger::fold {

// What the rules need of a channel, not its whole snapshot: with tens of
// thousands of live channels, names and dialplan data would dominate the
// daemon's memory (docs/benchmarks.md).
struct Channel {
  std::string id;
  bool up = false;        // its state is "Up" now
  bool internal = false;  // Announcer/, Recorder/, Snoop/: not a party
  std::int64_t creation_us = 0;
  // When it was first seen Up: the time of the record whose snapshot first
  // showed it Up (its ChannelStateChange, as a rule). 0 until then.
  std::int64_t up_us = 0;
  // Whether up_us is a reconcile's time: the snapshot showed it Up, and
  // nobody saw when it answered (CEL may tell).
  bool up_estimated = false;
  bool up_from_cel = false;  // up_us is CEL's ANSWER (an estimate CEL dated)
  std::set<std::string> bridges;
  std::string call_key;              // set when this channel is a call's channel
  std::string leg_of;                // call key this channel is a leg of
  bool dial_peer = false;            // was dialled (so it is a leg, never a call)
  std::string mixmonitor;            // MIXMONITOR_FILENAME, often set before Stasis
  bool mixmonitor_from_cel = false;  // mixmonitor is a MixMonitor CEL showed
  std::uint64_t last_seen = 0;
  // The extension its name stands for (core/endpoint_name.h), and the first
  // connected-line number a snapshot showed: an originated leg's is its
  // originator's caller number (Asterisk copies it), which ties a hunt leg
  // that never enters Stasis to its call (core/projector_agents.cc).
  std::string endpoint;
  std::string connected_number;
  std::string tried_for;  // call key this channel is listed in agents_tried of
};

// Which record ended a call: after a hangup request or a StasisEnd, the
// channel's ChannelDestroyed still brings its cause (core/call_rules.h,
// EndCall).
// kCel: the end read from CEL lines (core/cel_reading.h, CelEnd);
// kPbxRestart: the PBX restarted in a gap, the end is when the old process
// was last heard from (or CEL's last line of the channel).
enum class EndSource : std::uint8_t {
  kNone,
  kHangupRequest,
  kStasisEnd,
  kDestroyed,
  kReconcile,
  kCel,
  kPbxRestart,
};

class RowEdits;

// The evidence of a connection: the caller's channel connected to a party
// (a bridge with it while it is Up, or a Dial from the caller ending ANSWER),
// seen at `seen_us`. Up times are when each channel was first seen Up; 0
// when it never was.
struct Connection {
  std::int64_t seen_us = 0;
  std::int64_t caller_up_us = 0;      // the call channel
  std::int64_t party_up_us = 0;       // the party connected to
  std::int64_t party_created_us = 0;  // the party's creationtime; 0 if unknown
  // Seen in a reconcile's snapshot, or an Up time taken from one: when the
  // conversation began is an estimate (Call::answer_estimated).
  bool estimated = false;
  // The party's channel id (valid while the rule runs; MarkConnected keeps
  // a copy in Call::answer_party); null when not told.
  const std::string* party = nullptr;
};

// A call. Its row is read through row(); only a RowHandle writes it. The
// other members are facts the rules read that are not columns; the comment
// of each names who writes it.
class Call {
 public:
  const CallRow& row() const { return row_; }

  bool from_dialplan = false;     // opened by a ChannelDialplan (OnChannelDialplan)
  std::optional<int> hard_cause;  // last hard hangup request cause (OnChannelHangupRequest)
  std::string leg_dialstatus;     // last final Dial status of a linked leg (OnDial)
  EndSource end_source = EndSource::kNone;  // EndCall, HealEnd, Reopen
  // The end's time as its source gave it: end_time is never before the
  // answer, so an end before an estimated answer is kept at the answer
  // until CEL dates the answer (EndCall, HealEnd, HealAnswer, Reopen).
  std::int64_t end_given_us = 0;
  // Whether answer_time is an estimate: the connection was seen in a
  // reconcile's snapshot, or a channel's Up came from one (MarkConnected,
  // HealAnswer).
  bool answer_estimated = false;
  // The connection the answer was taken from, and its party's channel id
  // (MarkConnected): CEL may date an estimated Up better (HealFromCel).
  Connection answer_connection;
  std::string answer_party;
  // The latest ARI event about the call's channel, its ChannelDestroyed
  // aside (ObserveEvent), and the moment CEL showed the channel leave its
  // last bridge with nothing after it but, maybe, its end (HealCall): a
  // ChannelDestroyed that comes with nothing heard in between ends the
  // call at that exit (OnChannelDestroyed).
  std::int64_t last_heard_us = 0;
  std::int64_t cel_exit_us = 0;
  // The call channel's caller number at its Stasis entry: an originated
  // leg whose connected line shows it was rung for this call
  // (core/projector_agents.cc). And every party the caller was connected
  // to so far: a new one after the answer is a transfer.
  std::string caller_number;
  std::vector<std::string> parties;

 private:
  friend class RowEdits;
  CallRow row_;
};

// A mutable row, handed out by RowEdits::Edit after it kept the pre-image.
// Cheap to copy; valid while the record is applied.
class RowHandle {
 public:
  CallRow* operator->() const { return row_; }
  CallRow& operator*() const { return *row_; }

 private:
  friend class RowEdits;

  explicit RowHandle(CallRow* row) : row_(row) {}
  CallRow* row_;
};

// The rows changed by the record being applied.
class RowEdits {
 public:
  // Starts a record: forgets the previous record's edits.
  void Clear();
  // The call's row, writable. The first Edit of a call in a record keeps
  // its row as it was (the pre-image); the order of first Edits is the
  // order of the upserts Emit appends.
  RowHandle Edit(Call& call);
  // The call's row is deleted rather than changed (its Stasis entry never
  // happened). Drops its edit; call before erasing the call.
  void Withdraw(const Call& call);
  // Appends the changes of this record: a delete per withdrawn row (by
  // call_id), then an upsert per edited row whose content differs from its
  // pre-image (last_seq aside), with first_seq (if new) and last_seq set to
  // `seq`.
  void Emit(Seq seq, const std::string& node, std::vector<RowChange>* changes);

 private:
  // One or two calls per record: a vector beats a map here.
  std::vector<std::pair<Call*, CallRow>> edited_;
  std::set<std::string> withdrawn_;
};

// An ARI event, with the channels it names already observed (looked up
// once: nothing a handler does erases a channel before the event's end, and
// std::map entries stay where they are while others come and go).
struct ObservedEvent {
  const AriEvent& ari;
  std::int64_t time_us;           // the event's timestamp, else the record's
  Channel* subject;               // ari.channel, observed; null if absent
  Channel* peer;                  // ari.peer (Dial)
  Channel* caller;                // ari.caller (Dial)
  const std::string& channel_id;  // the subject's id; "" if absent
};

}  // namespace callledger::fold
