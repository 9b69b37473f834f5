// The projector: a pure, deterministic fold from ledger records to call-log
// rows (DESIGN sections 2 and 4; docs/projection.md explains every rule).
//
//   Projector p(node);
//   for each record in seq order: p.Apply(input, &changes);
//
// Apply reads only its input: no clock, no I/O, no randomness, no iteration
// over hash maps. Every container it iterates is ordered. The live daemon,
// `ledger-replay rebuild` and the golden tests all run this same code.
//
// It emits a RowChange only when a row's content really changed, so duplicate
// frames change nothing. State is bounded: destroyed channels are dropped at
// once, finished calls and channels not heard of for kEvictAfterRecords
// records are dropped in a deterministic sweep.
//
// How it is written (docs/projection.md, "Where the rules are"): Apply
// names the record's kind, and an event's type, once and calls the one
// handler for it (projector.cc; projector_events.cc, projector_reconcile.cc).
// A handler decides which call the record concerns and applies the column
// rules of core/call_rules.h, the only writers of a row's columns, through
// fold::RowEdits (core/projector_state.h), which emits what they change.
//
// Not thread-safe; one projector per ledger.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ari_event.h"
#include "core/call_row.h"
#include "core/cel_evidence.h"
#include "core/cel_reading.h"
#include "core/projector_state.h"
#include "core/record.h"

namespace callledger {

// Options that change rows. They take effect only through `note` records
// in the ledger (invariant 1): ProjectorInput::options.
struct ProjectorOptions {
  std::string call_app = "call-center";                          // Stasis app that marks a call
  std::string recordings_dir = "/var/spool/asterisk/recording";  // where ARI recordings land
};

// The Asterisk process a connection reached: what a gap record's
// /ari/asterisk/info says of it. A PBX restart shows as another startup
// time (or another entity) in the next gap.
struct AsteriskProcess {
  std::string entity_id;     // system.entity_id
  std::string startup_time;  // status.startup_time, as Asterisk wrote it
  std::string system_name;   // config.name (asterisk.conf systemname): prefixes channel ids

  bool operator==(const AsteriskProcess&) const = default;
};

// One record, decoded for the projector. Exactly one of event / reconcile /
// options / asterisk / cel is meaningful, according to kind; other kinds
// are skipped.
struct ProjectorInput {
  Seq seq;
  RecordKind kind = RecordKind::kUnknown;
  std::int64_t time_us = 0;                                  // the record's event_time_us
  const AriEvent* event = nullptr;                           // kAriEvent
  const ReconcileSnapshot* reconcile = nullptr;              // kReconcile
  std::vector<std::pair<std::string, std::string>> options;  // kNote: option settings
  const AsteriskProcess* asterisk = nullptr;                 // kGap: null without the info
  const CelEvidence* cel = nullptr;                          // kCel
  // A frame from Asterisk (read or not, whatever its kind now): its event
  // time, when Asterisk was heard from; else 0.
  std::int64_t heard_us = 0;
};

class Projector {
 public:
  static constexpr std::uint64_t kEvictAfterRecords = 200000;

  explicit Projector(std::string node);

  // Whether an event of this type can change a row. Events of other types
  // (DeviceStateChanged, ChannelConnectedLine, ChannelDtmfReceived, ...) are
  // skipped without being decoded; only the snapshots they carry would be
  // read, and every fact the projector keeps arrives with the events it does
  // read.
  static bool ReadsEventType(std::string_view type);
  // Of ChannelVarset events, only these variables; of ChannelDialplan
  // events, only entries into Stasis. Callers may skip the others unread.
  static bool ReadsVariable(std::string_view name);
  static bool ReadsDialplanApp(std::string_view app);

  void Apply(const ProjectorInput& input, std::vector<RowChange>* changes);

  const ProjectorOptions& options() const { return options_; }
  Seq last_seq() const { return last_seq_; }
  // Calls not finished yet, by call_id.
  std::vector<CallRow> LiveRows() const;
  std::size_t tracked_channels() const { return channels_.size(); }
  std::size_t tracked_calls() const { return calls_.size(); }

 private:
  using Channel = fold::Channel;
  using Call = fold::Call;
  using ObservedEvent = fold::ObservedEvent;

  // One handler per record kind (projector.cc, projector_reconcile.cc).
  void OnAriEvent(const AriEvent& e, std::int64_t time_us);
  void OnGap(Seq seq, std::int64_t time_us, const AsteriskProcess* asterisk);
  void OnReconcile(const ReconcileSnapshot& snap, std::int64_t time_us);
  void OnCel(const CelEvidence& cel);

  // A PBX restart (projector_cel.cc): the calls live before the gap ended
  // with the old process, when it was last heard from.
  void EndCallsOfOldProcess(Seq gap);
  // Healing from a whole window of CEL lines (projector_cel.cc).
  void HealFromCel(const CelEvidence& window);
  void HealLegsFromCel(const std::map<std::string, fold::CelChannel>& cel);
  void HealCall(Call& call, const fold::CelChannel& cel,
                const std::map<std::string, fold::CelChannel>& window, std::int64_t heard_us,
                bool opened);
  std::optional<std::int64_t> CelAnswer(
      const Call& call, const fold::CelChannel& cel,
      const std::map<std::string, fold::CelChannel>& window) const;
  bool HealEndFromCel(Call& call, const fold::CelChannel& cel, std::int64_t heard_us);
  void DateUpsFromCel(const std::map<std::string, fold::CelChannel>& cel, std::int64_t heard_us);
  Call* OpenFromCel(const fold::CelChannel& cel, const std::map<std::string, Call*>& by_channel,
                    const std::map<std::string, fold::CelChannel>& window,
                    const std::set<std::string>& foreign);
  // When the events a window's lines may add to began: the last event ARI
  // delivered before the first gap the window covers that no window healed
  // before it (the window's own start when unknown). A daemon killed
  // before it recorded a gap's window whole reaches back to that gap in
  // the next run's window (cel/gap_windows.h): one window, two gaps.
  std::int64_t HeardBefore(const CelEvidence& window) const;
  void RememberWindow(std::int64_t until_us, std::int64_t heard_us);
  // Whether a CEL line's channel can be this PBX's (its system name).
  bool IsThisPbxChannel(const std::string& uniqueid) const;
  // Whether Stasis arguments after the first (the call id's place) name
  // an Asterisk channel of this PBX other than `channel_id`: an agent
  // leg's `agent,<call channel>`. Such a channel is a leg even when its
  // call is unknown (entered before a gap, never seen): never a call.
  bool ArgsNameAnotherChannel(const std::vector<std::string>& args,
                              const std::string& channel_id) const;
  void ForgetChannel(const std::string& channel_id);
  void OnNote(const std::vector<std::pair<std::string, std::string>>& options);

  // The steps of a reconcile, in order (projector_reconcile.cc). `live`:
  // the snapshot's channels not destroyed since the gap; `before`: the seq
  // before which the snapshot settles what was known.
  void EndCallsGoneInGap(const std::set<std::string>& live, std::uint64_t before,
                         std::int64_t time_us);
  void ForgetGone(const ReconcileSnapshot& snap, const std::set<std::string>& live,
                  std::uint64_t before);
  void TakeFromSnapshot(const ReconcileSnapshot& snap, const std::set<std::string>& live,
                        std::uint64_t before, std::int64_t time_us);
  void OpenCallsFromSnapshot(const ReconcileSnapshot& snap, const std::set<std::string>& live,
                             std::int64_t time_us);
  bool HeardOfSince(const std::set<std::string>& members, std::uint64_t before) const;

  // What every event does first (projector.cc).
  ObservedEvent ObserveEvent(const AriEvent& e, std::int64_t time_us, bool bridge_destroyed,
                             bool channel_destroyed);
  // One handler per event type (projector_events.cc). OnAriEvent has
  // observed the channels the event names and taken the bridge membership
  // it carries before it calls one, and checks that bridge's connection
  // after it.
  void OnStasisStart(const ObservedEvent& ev);
  void OnChannelDialplan(const ObservedEvent& ev);
  void OnStasisEnd(const ObservedEvent& ev);
  void OnChannelDestroyed(const ObservedEvent& ev);
  void OnChannelHangupRequest(const ObservedEvent& ev);
  void OnChannelVarset(const ObservedEvent& ev);
  void OnDial(const ObservedEvent& ev);
  void OnRecording(const ObservedEvent& ev);
  // After the carried bridge's check: they read, or forget, what it used.
  void OnChannelStateChange(const ObservedEvent& ev);
  void OnBridgeDestroyed(const ObservedEvent& ev);
  void ForgetDestroyedChannel(const ObservedEvent& ev);

  // A channel entering Stasis(<call app>, args): a call opened (returned),
  // a call reopened, or a leg (projector_events.cc). Withdraw deletes a call
  // whose entry never happened.
  Call* EnterStasis(const ChannelSnapshot& snap, const std::vector<std::string>& args,
                    std::int64_t time_us);
  void Withdraw(Call& call, Channel& channel);
  // The key of the call a channel opens: args[0], else its id; never the
  // key of another channel's call (core/projector_events.cc).
  std::string CallKeyFor(const std::string& channel_id, const std::vector<std::string>& args);

  // Channels, bridges and the connection rule's evidence
  // (projector_channels.cc). Observe takes a snapshot seen at `time_us`.
  Channel& Observe(const ChannelSnapshot& snap, std::int64_t time_us);
  void LinkLegByArgs(Channel& ch, const std::vector<std::string>& args, std::int64_t time_us);
  void SetBridge(const BridgeSnapshot& b);
  void CheckConnected(const std::string& channel_id, std::int64_t time_us);
  void CheckBridge(const std::string& bridge_id, std::int64_t time_us);
  Call* CallOf(const Channel& ch);
  Call* CallOrLegOf(const Channel& ch);  // its call, or the call it is a leg of
  Call* CallOfChannel(const std::string& channel_id);
  Call* SubjectCall(const ObservedEvent& ev);

  // Agents (projector_agents.cc, docs/projection.md "Agents"): the legs
  // rung for a call, what became of each, and who took the call.
  // RingLegFor lists `leg` in the call's agents_tried (once);
  // OriginatedFor finds the call an originated leg was rung for.
  void RingLegFor(Channel& leg, Call& call, std::int64_t time_us);
  Call* OriginatedFor(const Channel& leg);
  void OnLegDial(const ObservedEvent& ev);
  // What the leg's channel showed: Up, its end's cause, or that it is gone.
  void LegShows(const Channel& leg, LegOutcome outcome);
  // A party connected to the caller: the one the answer was taken from
  // names the agent (inbound calls), one that came later a transfer.
  enum class PartyJoin : std::uint8_t { kAnswered, kAlongside, kLater };
  void NoteParty(Call& call, const Channel& party, PartyJoin join);
  void OpenAgents(Call& call, const ChannelSnapshot& snap);
  void ForgetCallNumber(const Call& call);

  void Sweep();  // projector_sweep.cc

  const std::string node_;
  ProjectorOptions options_;
  Seq last_seq_;
  std::uint64_t current_seq_ = 0;
  // The last gap record: a reconcile settles what was known before it.
  std::uint64_t gap_seq_ = 0;
  // Channels destroyed between that gap and its reconcile: an older snapshot
  // must not revive them. Kept only while a reconcile is awaited.
  bool awaiting_reconcile_ = false;
  std::set<std::string> destroyed_since_gap_;
  // Set while a reconcile is applied: what its snapshot shows Up is an
  // estimate of when (fold::Channel::up_estimated).
  bool in_reconcile_ = false;
  // The latest ARI event time applied: when Asterisk was last heard from.
  std::int64_t last_event_us_ = 0;
  // When ARI was last heard from before the open gap (the first of a run
  // of gaps without a reconcile between them).
  std::int64_t gap_heard_us_ = 0;
  // The time of the last gap record: when the daemon connected again.
  std::int64_t gap_time_us_ = 0;
  // (window end, heard before it) of recent gaps: a `cel` window ends at
  // its reconcile's time (or at an overflow gap's). A few suffice: windows
  // are recorded soon after their gap.
  std::deque<std::pair<std::int64_t, std::int64_t>> window_heard_;
  // The end of the last window healed (HealFromCel): gaps before it were
  // covered by a window recorded whole.
  std::int64_t healed_until_us_ = 0;
  // The Asterisk process of the last gap that said which (a restart shows
  // as another).
  std::optional<AsteriskProcess> asterisk_;
  // The parts of a CEL window read so far (a window may take several
  // records; it is healed once its last part is in).
  std::optional<CelEvidence> cel_window_;
  // Channels whose Stasis entry failed (Withdraw): CEL shows their
  // APP_START all the same, and must not open them. The latest
  // kRememberWithdrawn, oldest first in withdrawn_order_.
  static constexpr std::size_t kRememberWithdrawn = 1000;
  std::set<std::string> withdrawn_;
  std::deque<std::string> withdrawn_order_;
  std::map<std::string, Channel> channels_;               // by channel id
  std::map<std::string, Call> calls_;                     // by call_id
  std::map<std::string, std::set<std::string>> bridges_;  // bridge id -> members
  // Call keys by the call channel's caller number (Call::caller_number),
  // for OriginatedFor; an entry goes when its call is erased.
  std::map<std::string, std::set<std::string>> calls_by_number_;
  // The rows the record being applied changed; the only way to change one.
  fold::RowEdits edits_;
  // (last_seq, call_id) of every row change, oldest first: Sweep finds the
  // calls past its horizon here instead of visiting every call (thousands,
  // each a cache miss, every 10,000 records). An entry is stale once its
  // call changed again or was erased.
  std::deque<std::pair<std::uint64_t, std::string>> by_last_seq_;
};

}  // namespace callledger
