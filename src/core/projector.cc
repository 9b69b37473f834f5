// Apply: one record in, its row changes out. The record's kind, and for an
// ARI event its type, are named once here and decide the one handler that
// runs (in the spirit of leveldb's WriteBatch::Handler); the handlers are in
// projector_events.cc and projector_reconcile.cc, the column rules they
// apply in call_rules.cc.
#include "core/projector.h"

#include <algorithm>
#include <array>

#include "core/call_rules.h"

namespace callledger {
namespace {

// The event types the projector reads. Comparing the type string at every
// branch cost more than some of the rules themselves.
enum class EventType : std::uint8_t {
  kOther,  // read by no rule
  kStasisStart,
  kStasisEnd,
  kChannelDialplan,
  kChannelVarset,
  kChannelCreated,
  kChannelDestroyed,
  kChannelHangupRequest,
  kChannelStateChange,
  kChannelCallerId,
  kDial,
  kChannelEnteredBridge,
  kChannelLeftBridge,
  kBridgeDestroyed,
  kBridgeMerged,
  kRecording,  // RecordingStarted, RecordingFinished, RecordingFailed
};

EventType TypeOf(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, EventType>, 17> kTypes{{
      {"StasisStart", EventType::kStasisStart},
      {"StasisEnd", EventType::kStasisEnd},
      {"ChannelDialplan", EventType::kChannelDialplan},
      {"ChannelVarset", EventType::kChannelVarset},
      {"ChannelCreated", EventType::kChannelCreated},
      {"ChannelDestroyed", EventType::kChannelDestroyed},
      {"ChannelHangupRequest", EventType::kChannelHangupRequest},
      {"ChannelStateChange", EventType::kChannelStateChange},
      {"ChannelCallerId", EventType::kChannelCallerId},
      {"Dial", EventType::kDial},
      {"ChannelEnteredBridge", EventType::kChannelEnteredBridge},
      {"ChannelLeftBridge", EventType::kChannelLeftBridge},
      {"BridgeDestroyed", EventType::kBridgeDestroyed},
      {"BridgeMerged", EventType::kBridgeMerged},
      {"RecordingStarted", EventType::kRecording},
      {"RecordingFinished", EventType::kRecording},
      {"RecordingFailed", EventType::kRecording},
  }};
  for (const auto& [name, t] : kTypes) {
    if (name == type) return t;
  }
  return EventType::kOther;
}

}  // namespace

Projector::Projector(std::string node) : node_(std::move(node)) {}

bool Projector::ReadsEventType(std::string_view type) { return TypeOf(type) != EventType::kOther; }

bool Projector::ReadsVariable(std::string_view name) {
  return name == "MIXMONITOR_FILENAME" || name == "STASISSTATUS";
}

bool Projector::ReadsDialplanApp(std::string_view app) { return app == "Stasis"; }

std::vector<CallRow> Projector::LiveRows() const {
  std::vector<CallRow> out;
  for (const auto& [key, call] : calls_) {
    if (call.row().status != CallStatus::kFinished) out.push_back(call.row());
  }
  return out;
}

void Projector::Apply(const ProjectorInput& in, std::vector<RowChange>* changes) {
  current_seq_ = in.seq.value;
  last_seq_ = in.seq;
  edits_.Clear();
  last_event_us_ = std::max(last_event_us_, in.heard_us);
  switch (in.kind) {
    case RecordKind::kAriEvent:
      // An event without a time of its own (nor a record time) happened
      // when Asterisk was last heard from, as far as anyone can tell.
      if (in.event != nullptr) {
        const std::int64_t t = in.event->time_us ? in.event->time_us : in.time_us;
        OnAriEvent(*in.event, t != 0 ? t : last_event_us_);
      }
      break;
    case RecordKind::kReconcile:
      if (in.reconcile != nullptr) OnReconcile(*in.reconcile, in.time_us);
      break;
    case RecordKind::kNote:
      OnNote(in.options);
      break;
    case RecordKind::kGap:
      OnGap(in.seq, in.time_us, in.asterisk);
      break;
    case RecordKind::kCel:
      if (in.cel != nullptr) OnCel(*in.cel);
      break;
    default:
      break;  // malformed, unknown: nothing to project
  }
  const std::size_t first_new = changes->size();
  edits_.Emit(in.seq, node_, changes);
  for (std::size_t i = first_new; i < changes->size(); ++i) {
    const RowChange& change = (*changes)[i];
    if (change.op == RowChange::Op::kUpsert)
      by_last_seq_.emplace_back(in.seq.value, change.row.call_id);
  }
  if (current_seq_ % 10000 == 0) Sweep();
}

void Projector::OnNote(const std::vector<std::pair<std::string, std::string>>& options) {
  for (const auto& [key, value] : options) {
    if (key == "call_app" && !value.empty()) options_.call_app = value;
    if (key == "recordings_dir") options_.recordings_dir = value;
  }
}

// Every event: the channels it names are observed, a caller name their call
// lacked may have come with its subject (ChannelCallerId, or any later
// snapshot), and a bridge snapshot is the bridge's membership now (unless
// the bridge is going).
fold::ObservedEvent Projector::ObserveEvent(const AriEvent& e, std::int64_t time_us,
                                            bool bridge_destroyed, bool channel_destroyed) {
  Channel* subject = nullptr;
  if (e.channel) {
    subject = &Observe(*e.channel, time_us);
    if (Call* c = CallOf(*subject)) {
      fold::SetCallerName(edits_, *c, e.channel->caller_name, fold::CallerNameFrom::kLaterEvent);
      if (!channel_destroyed) c->last_heard_us = std::max(c->last_heard_us, time_us);
    }
  }
  Channel* peer = e.peer ? &Observe(*e.peer, time_us) : nullptr;
  Channel* caller = e.caller ? &Observe(*e.caller, time_us) : nullptr;
  if (e.bridge && !bridge_destroyed) SetBridge(*e.bridge);
  static const std::string kNoChannel;
  return ObservedEvent{e, time_us, subject, peer, caller, e.channel ? e.channel->id : kNoChannel};
}

void Projector::OnAriEvent(const AriEvent& e, std::int64_t time_us) {
  // What the projector does not read leaves no trace, however it arrives
  // (callers may also skip such events undecoded: the result is the same).
  const EventType type = TypeOf(e.type);
  if (type == EventType::kOther) return;
  if (type == EventType::kChannelVarset && !ReadsVariable(e.variable)) return;
  if (type == EventType::kChannelDialplan && !ReadsDialplanApp(e.dialplan_app)) return;

  const ObservedEvent ev = ObserveEvent(e, time_us, type == EventType::kBridgeDestroyed,
                                        type == EventType::kChannelDestroyed);
  switch (type) {
    case EventType::kStasisStart:
      OnStasisStart(ev);
      break;
    case EventType::kChannelDialplan:
      OnChannelDialplan(ev);
      break;
    case EventType::kStasisEnd:
      OnStasisEnd(ev);
      break;
    case EventType::kChannelDestroyed:
      OnChannelDestroyed(ev);
      break;
    case EventType::kChannelHangupRequest:
      OnChannelHangupRequest(ev);
      break;
    case EventType::kChannelVarset:
      OnChannelVarset(ev);
      break;
    case EventType::kDial:
      OnDial(ev);
      break;
    case EventType::kRecording:
      OnRecording(ev);
      break;
    case EventType::kChannelCreated:
    case EventType::kChannelCallerId:
    case EventType::kChannelEnteredBridge:
    case EventType::kChannelLeftBridge:
    case EventType::kBridgeMerged:
      break;  // all they say is in the snapshots they carry: observed, then checked below
    case EventType::kChannelStateChange:
    case EventType::kBridgeDestroyed:
      break;  // handled after the bridge check, below
    case EventType::kOther:
      break;
  }

  // Connection can change wherever a bridge's membership did.
  if (e.bridge) CheckBridge(e.bridge->id, time_us);
  switch (type) {
    case EventType::kChannelStateChange:
      OnChannelStateChange(ev);
      break;
    case EventType::kBridgeDestroyed:
      OnBridgeDestroyed(ev);
      break;
    case EventType::kChannelDestroyed:
      ForgetDestroyedChannel(ev);
      break;
    default:
      break;
  }
}

}  // namespace callledger
