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
// Not thread-safe; one projector per ledger.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ari_event.h"
#include "core/call_row.h"
#include "core/record.h"

namespace callledger {

// Options that change rows. They take effect only through `note` records
// in the ledger (invariant 1): ProjectorInput::options.
struct ProjectorOptions {
  std::string call_app = "call-center";                          // Stasis app that marks a call
  std::string recordings_dir = "/var/spool/asterisk/recording";  // where ARI recordings land
};

// One record, decoded for the projector. Exactly one of event / reconcile /
// options is meaningful, according to kind; other kinds are skipped.
struct ProjectorInput {
  Seq seq;
  RecordKind kind = RecordKind::kUnknown;
  std::int64_t time_us = 0;                                  // the record's event_time_us
  const AriEvent* event = nullptr;                           // kAriEvent
  const ReconcileSnapshot* reconcile = nullptr;              // kReconcile
  std::vector<std::pair<std::string, std::string>> options;  // kNote: option settings
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
  // What the rules need of a channel, not its whole snapshot: with tens of
  // thousands of live channels, names and dialplan data would dominate the
  // daemon's memory (docs/benchmarks.md).
  struct Channel {
    std::string id;
    std::string state;      // "Up", "Ringing", ...
    bool internal = false;  // Announcer/, Recorder/, Snoop/: not a party
    std::int64_t creation_us = 0;
    std::set<std::string> bridges;
    std::string call_key;    // set when this channel is a call's channel
    std::string leg_of;      // call key this channel is a leg of
    bool dial_peer = false;  // was dialled (so it is a leg, never a call)
    std::string mixmonitor;  // MIXMONITOR_FILENAME, often set before Stasis
    std::uint64_t last_seen = 0;
  };
  enum class EndSource : std::uint8_t { kNone, kStasisEnd, kDestroyed, kReconcile };
  struct Call {
    CallRow row;
    bool from_dialplan = false;  // opened by a ChannelDialplan into Stasis
    std::optional<int> hard_cause;
    std::string leg_dialstatus;  // last final Dial status of a linked leg
    EndSource end_source = EndSource::kNone;
  };

  void ApplyEvent(const AriEvent& e, std::int64_t time_us);
  void ApplyReconcile(const ReconcileSnapshot& snap, std::int64_t time_us);
  void ApplyOptions(const std::vector<std::pair<std::string, std::string>>& options);

  Channel& Observe(const ChannelSnapshot& snap);
  void EnterStasis(const ChannelSnapshot& snap, const std::vector<std::string>& args,
                   std::int64_t time_us);
  void EndCall(Call& call, std::int64_t time_us, EndSource source, std::optional<int> cause,
               const std::string& cause_txt);
  void CheckConnected(const std::string& channel_id, std::int64_t time_us);
  void CheckBridge(const std::string& bridge_id, std::int64_t time_us);
  void SetBridge(const BridgeSnapshot& b);
  void LinkLegByArgs(Channel& ch, const std::vector<std::string>& args);
  Call* CallOf(const Channel& ch);
  Call* CallOrLegOf(const Channel& ch);  // its call, or the call it is a leg of
  Call* CallOfChannel(const std::string& channel_id);
  Call& Touch(Call& call);
  void Sweep();

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
  std::map<std::string, Channel> channels_;               // by channel id
  std::map<std::string, Call> calls_;                     // by call_id
  std::map<std::string, std::set<std::string>> bridges_;  // bridge id -> members
  // Pre-images of the rows touched by the record being applied (one or two:
  // a vector beats a map here).
  std::vector<std::pair<std::string, CallRow>> touched_;
  std::set<std::string> deleted_;
  // (last_seq, call_id) of every row change, oldest first: Sweep finds the
  // calls past its horizon here instead of visiting every call (thousands,
  // each a cache miss, every 10,000 records). An entry is stale once its
  // call changed again or was erased.
  std::deque<std::pair<std::uint64_t, std::string>> by_last_seq_;
};

}  // namespace callledger
