// Healing from CEL and PBX restarts (docs/projection.md, "Healing from CEL"
// and "PBX restarts").
//
// ARI never replays what a disconnected client missed; Asterisk's CEL log
// does not miss it. After a gap the daemon records the CEL lines of the
// gap's window (`cel` records, payload/cel.h); once a window's last part is
// in, the lines heal what the gap hid, and only that:
//
//   - what ARI saw stands: an answer or an end an event showed is never
//     replaced, but for an end ARI saw only late (a ChannelDestroyed, which
//     on a loaded PBX trails the hang-up by seconds) when CEL shows it
//     earlier;
//   - what ARI did not see is taken from CEL: the end of a call that ended
//     in the gap (its time and cause, instead of the reconcile's estimate),
//     an answer the gap hid (or that a reconcile's snapshot only dated),
//     and calls that entered the application in the gap and that ARI
//     never heard of, opened from their APP_START of Stasis;
//   - every row CEL changed says so: evidence 'cel'.
//
// Which facts the lines may add is bounded by time: ARI had delivered
// everything up to the last event it sent before the gap (HeardBefore), so
// an answer or an entry into Stasis CEL dates before that moment is not
// taken (ARI's rules saw it and decided).
#include <algorithm>

#include "core/agent_rules.h"
#include "core/call_rules.h"
#include "core/endpoint_name.h"
#include "core/projector.h"
#include "core/q850.h"

namespace callledger {
namespace {

// Asterisk's own channel ids are "<epoch>.<n>", or "<systemname>-<epoch>.<n>"
// when asterisk.conf sets a system name. An application may choose other
// ids (ARI originate's channelId); those are taken as they are.
bool IsAsteriskId(std::string_view id) {
  const auto dot = id.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == id.size()) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return c == '.' || (c >= '0' && c <= '9'); }) &&
         id.find('.', dot + 1) == std::string_view::npos;
}

// Events reach the daemon in about the order Asterisk stamps them, not
// exactly: on the overloaded capture (p-burst-80's observer stream) an
// event arrives up to 50 ms after one stamped later. An event stamped this
// much before the last one heard before a gap may still have been in it.
constexpr std::int64_t kDeliveryReorderUs = 100'000;

// An Asterisk channel id, with or without a system name prefix.
bool NamesAsteriskChannel(std::string_view id) {
  const auto dash = id.rfind('-');
  return IsAsteriskId(dash == std::string_view::npos ? id : id.substr(dash + 1));
}

// Where Asterisk writes a MixMonitor file given without a directory
// (astspooldir/monitor, as the variable MIXMONITOR_FILENAME then shows).
constexpr std::string_view kMonitorDir = "/var/spool/asterisk/monitor";

std::string MixMonitorPath(const fold::CelChannel& c) {
  return c.mixmonitor.front() == '/' ? c.mixmonitor : std::string(kMonitorDir) + "/" + c.mixmonitor;
}

}  // namespace

bool Projector::IsThisPbxChannel(const std::string& uniqueid) const {
  const std::string& ours = asterisk_ ? asterisk_->system_name : std::string();
  const auto dash = uniqueid.rfind('-');
  if (dash != std::string::npos && IsAsteriskId(std::string_view(uniqueid).substr(dash + 1))) {
    return uniqueid.compare(0, dash, ours) == 0 && dash == ours.size();
  }
  // Without a prefix: ours when this PBX names none.
  return !IsAsteriskId(uniqueid) || ours.empty();
}

void Projector::EndCallsOfOldProcess(Seq gap) {
  for (auto& [key, call] : calls_) {
    const CallRow& row = call.row();
    if (row.status == CallStatus::kFinished || row.first_seq.value >= gap.value) continue;
    fold::EndCall(edits_, call,
                  fold::CallEnd{std::max(last_event_us_, row.start_us),
                                fold::EndSource::kPbxRestart,
                                std::nullopt,
                                {}});
  }
}

std::int64_t Projector::HeardBefore(const CelEvidence& window) const {
  std::optional<std::int64_t> first;
  for (const auto& [until_us, heard_us] : window_heard_) {
    if (until_us <= healed_until_us_ || until_us > window.until_us) continue;
    if (heard_us < window.since_us) continue;  // a gap the window does not reach
    first = std::min(first.value_or(heard_us), heard_us);
  }
  return first.value_or(window.since_us);
}

void Projector::OnCel(const CelEvidence& cel) {
  if (!cel_window_ || cel_window_->since_us != cel.since_us ||
      cel_window_->until_us != cel.until_us) {
    cel_window_ = CelEvidence{cel.since_us, cel.until_us, false, {}};
  }
  cel_window_->facts.insert(cel_window_->facts.end(), cel.facts.begin(), cel.facts.end());
  if (!cel.last_part) return;
  const CelEvidence window = std::move(*cel_window_);
  cel_window_.reset();
  HealFromCel(window);
}

void Projector::HealFromCel(const CelEvidence& window) {
  const std::int64_t heard_us = HeardBefore(window);
  // Lines of another PBX's channels (its system name) are not read either; a
  // channel whose arguments name one is no call of ours either.
  std::vector<CelFact> ours;
  std::set<std::string> foreign;
  for (const CelFact& f : window.facts) {
    // The daemon records only lines stamped inside the window (their times
    // here are cut to milliseconds); any other line of a record is not
    // read.
    if (f.time_us < window.since_us - 999 || f.time_us > window.until_us) continue;
    if (IsThisPbxChannel(f.uniqueid)) {
      ours.push_back(f);
    } else {
      foreign.insert(f.uniqueid);
    }
  }
  const std::map<std::string, fold::CelChannel> cel =
      fold::ReadCelChannels(ours, options_.call_app);
  DateUpsFromCel(cel, heard_us);
  std::map<std::string, Call*> by_channel;
  for (auto& [key, call] : calls_) {
    Call*& slot = by_channel[call.row().channel_id];
    if (slot == nullptr || slot->row().first_seq.value < call.row().first_seq.value) slot = &call;
  }
  // Calls in the order they entered the application: a leg's call is
  // opened before the leg is looked at.
  std::vector<const fold::CelChannel*> order;
  for (const auto& [id, c] : cel) {
    if (c.stasis_start_us != 0 || by_channel.count(id) != 0) order.push_back(&c);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return std::max(a->stasis_start_us, a->first_us) < std::max(b->stasis_start_us, b->first_us);
  });
  for (const fold::CelChannel* c : order) {
    Call* call = nullptr;
    if (const auto known = by_channel.find(c->id); known != by_channel.end()) call = known->second;
    bool opened = false;
    if (call == nullptr) {
      // ARI saw its entry and decided, unless it never heard of the channel
      // (events of different channels may arrive out of their order).
      if (c->stasis_start_us <= heard_us && channels_.count(c->id) != 0) continue;
      call = OpenFromCel(*c, by_channel, cel, foreign);
      if (call == nullptr) continue;  // a leg
      opened = true;
      by_channel[c->id] = call;
    }
    HealCall(*call, *c, cel, heard_us, opened);
  }
  HealLegsFromCel(cel);
  healed_until_us_ = std::max(healed_until_us_, window.until_us);
}

// Legs whose outcome a gap hid (still ringing, or gone from a reconcile):
// CEL shows whether each answered, else its hang-up's cause.
void Projector::HealLegsFromCel(const std::map<std::string, fold::CelChannel>& cel) {
  for (auto& [key, call] : calls_) {
    for (const AgentAttempt& leg : call.row().agents_tried) {
      if (leg.outcome != LegOutcome::kRinging && leg.outcome != LegOutcome::kUnknown) continue;
      const auto c = cel.find(leg.channel_id);
      // A HANGUP without a cause (0) says nothing of a leg that did not answer.
      const bool said = c != cel.end() && c->second.cause.value_or(0) != 0;
      if (c == cel.end() || (c->second.answer_us == 0 && !said)) continue;
      const LegOutcome outcome =
          c->second.answer_us != 0 ? LegOutcome::kAnswered : fold::OutcomeOfCause(c->second.cause);
      // The rule changes this element's outcome in place (the list keeps
      // its size): the loop reads on.
      fold::SetLegOutcome(edits_, call, leg.channel_id, outcome, fold::OutcomeFrom::kChannel);
      fold::MarkEvidence(edits_, call, Evidence::kCel);
    }
  }
}

// Channels a snapshot showed Up without saying when: CEL's ANSWER says
// when. Connections ARI shows later take their Up from here. And the
// MixMonitor file of a channel not yet a call's.
void Projector::DateUpsFromCel(const std::map<std::string, fold::CelChannel>& cel,
                               std::int64_t heard_us) {
  for (const auto& [id, c] : cel) {
    // A MixMonitor ARI did not see start (MIXMONITOR_FILENAME), often
    // before the channel enters Stasis: its call takes it at its entry.
    if (!c.mixmonitor.empty() && c.mixmonitor_us >= heard_us) {
      const auto known = channels_.find(id);
      if (known != channels_.end() && known->second.mixmonitor.empty()) {
        known->second.mixmonitor = MixMonitorPath(c);
        known->second.mixmonitor_from_cel = true;
      }
    }
    if (c.answer_us == 0) continue;
    const auto known = channels_.find(id);
    if (known == channels_.end()) continue;
    // Dated by a snapshot, or first seen Up by an event after the gap began
    // when CEL shows it answered before: ARI missed the answer.
    const bool late = known->second.up_us > heard_us && c.answer_us < known->second.up_us;
    if (!known->second.up_estimated && !late) continue;
    known->second.up_us = c.answer_us;
    known->second.up_estimated = false;
    known->second.up_from_cel = true;
  }
}

// A call that entered the application in the gap, unknown to ARI: opened
// as its Stasis entry would have opened it, from what CEL shows of it.
bool Projector::ArgsNameAnotherChannel(const std::vector<std::string>& args,
                                       const std::string& channel_id) const {
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] != channel_id && NamesAsteriskChannel(args[i]) && IsThisPbxChannel(args[i])) {
      return true;
    }
  }
  return false;
}

Projector::Call* Projector::OpenFromCel(const fold::CelChannel& c,
                                        const std::map<std::string, Call*>& by_channel,
                                        const std::map<std::string, fold::CelChannel>& window,
                                        const std::set<std::string>& foreign) {
  if (const auto known = channels_.find(c.id); known != channels_.end()) {
    if (!known->second.leg_of.empty() || known->second.dial_peer) return nullptr;
  }
  if (withdrawn_.count(c.id) != 0) return nullptr;  // its Stasis entry failed
  for (const auto& a : c.stasis_args) {
    if (a.empty() || a == c.id) continue;
    if (by_channel.count(a) != 0 || calls_.count(a) != 0 || CallOfChannel(a) != nullptr ||
        window.count(a) != 0 || foreign.count(a) != 0) {
      return nullptr;  // its arguments name a call, or another channel: a leg
    }
  }
  // A channel of this PBX that neither ARI nor the window shows (an agent
  // leg whose call entered Stasis before the window began, unseen by ARI):
  // a leg all the same, never a call of its own.
  if (ArgsNameAnotherChannel(c.stasis_args, c.id)) return nullptr;
  ChannelSnapshot snap;
  snap.id = c.id;
  snap.name = c.name;
  snap.state = "Ring";
  snap.caller_name = c.caller_name;
  snap.caller_number = c.caller_num;
  snap.dialplan_exten = c.exten;
  snap.creation_us = c.start_us != 0 ? c.start_us : c.stasis_start_us;
  Call* call = EnterStasis(snap, c.stasis_args, c.stasis_start_us);
  if (call != nullptr) fold::MarkEvidence(edits_, *call, Evidence::kCel);
  return call;
}

// CEL's connection as the answer rule takes it: Up times from the lines,
// else from what ARI showed of the channels.
namespace {
fold::Connection CelConnectionOf(const fold::CelChannel& c,
                                 const std::map<std::string, fold::CelChannel>& window,
                                 const std::map<std::string, fold::Channel>& channels) {
  const fold::CelConnection& k = *c.connection;
  fold::Connection conn;
  conn.seen_us = k.seen_us;
  conn.caller_up_us = c.answer_us;
  if (conn.caller_up_us == 0) {
    const auto known = channels.find(c.id);
    conn.caller_up_us =
        known != channels.end() && known->second.up_us != 0 && !known->second.up_estimated
            ? known->second.up_us
            : k.seen_us;
  }
  if (const auto p = window.find(k.party); p != window.end()) {
    conn.party_up_us = p->second.answer_us;
    conn.party_created_us = p->second.start_us;
  }
  if (const auto known = channels.find(k.party); known != channels.end()) {
    if (conn.party_up_us == 0 && !known->second.up_estimated)
      conn.party_up_us = known->second.up_us;
    if (conn.party_created_us == 0) conn.party_created_us = known->second.creation_us;
  }
  return conn;
}
// The extension of CEL's party: its name from a line of the window (or
// the name the connection carries), else what ARI showed of it.
std::string CelPartyEndpoint(const fold::CelConnection& k,
                             const std::map<std::string, fold::CelChannel>& window,
                             const std::map<std::string, fold::Channel>& channels) {
  constexpr std::string_view kByName = "name:";
  if (std::string_view(k.party).starts_with(kByName)) {
    return fold::EndpointOfChannel(std::string_view(k.party).substr(kByName.size()));
  }
  if (const auto p = window.find(k.party); p != window.end() && !p->second.name.empty()) {
    return fold::EndpointOfChannel(p->second.name);
  }
  const auto known = channels.find(k.party);
  return known != channels.end() ? known->second.endpoint : std::string();
}
}  // namespace

void Projector::HealCall(Call& call, const fold::CelChannel& c,
                         const std::map<std::string, fold::CelChannel>& window,
                         std::int64_t heard_us, bool opened) {
  bool healed = opened;
  if (const std::optional<std::int64_t> answer_us = CelAnswer(call, c, window)) {
    const CallRow& row = call.row();
    const bool before_end = row.status != CallStatus::kFinished || *answer_us <= row.end_us;
    const bool seen_in_gap = c.connection && c.connection->seen_us > heard_us;
    const bool missed = !row.answered && (opened || seen_in_gap);
    // An answer a snapshot dated, or one ARI showed only after the gap
    // began, that CEL dates earlier: the gap hid when it began.
    const bool late = call.answer_estimated || row.answer_us > heard_us;
    const bool better = row.answered && late && *answer_us < row.answer_us;
    if (*answer_us >= row.start_us && before_end && (missed || better)) {
      fold::HealAnswer(edits_, call, *answer_us);
      healed = true;
      // Who took it, when ARI saw no connection at all.
      if (missed && c.connection && call.row().direction != fold::kOutgoing) {
        call.parties.push_back(c.connection->party);
        fold::SetAgent(edits_, call, CelPartyEndpoint(*c.connection, window, channels_));
      }
    }
  }
  healed |= HealEndFromCel(call, c, heard_us);
  if (call.row().recording_path.empty() && !c.mixmonitor.empty() &&
      (opened || c.mixmonitor_us >= heard_us)) {
    fold::SetRecording(edits_, call, MixMonitorPath(c), fold::RecordingFrom::kCelMixMonitor);
    healed = true;
  }
  if (healed) fold::MarkEvidence(edits_, call, Evidence::kCel);
  // The channel is left to what ARI tells of it (its ChannelDestroyed, a
  // reconcile): forgetting it here would let a stale snapshot that still
  // lists it open its call again.
}

// When CEL says the conversation began: from its own connection, or from
// ARI's connection with the Up times CEL shows (HealCall takes it only for
// an answer a snapshot dated or ARI showed after the gap began).
std::optional<std::int64_t> Projector::CelAnswer(
    const Call& call, const fold::CelChannel& c,
    const std::map<std::string, fold::CelChannel>& window) const {
  if (c.connection) return fold::AnswerTime(call.row(), CelConnectionOf(c, window, channels_));
  if (!call.row().answered) return std::nullopt;
  fold::Connection conn = call.answer_connection;
  bool dated = false;
  if (c.answer_us != 0) {
    conn.caller_up_us = c.answer_us;
    dated = true;
  }
  if (const auto p = window.find(call.answer_party); p != window.end() && p->second.answer_us) {
    conn.party_up_us = p->second.answer_us;
    if (p->second.start_us != 0) conn.party_created_us = p->second.start_us;
    dated = true;
  }
  if (!dated) return std::nullopt;
  return fold::AnswerTime(call.row(), conn);
}

// The end CEL shows, where ARI did not see it (docs/projection.md).
bool Projector::HealEndFromCel(Call& call, const fold::CelChannel& c, std::int64_t heard_us) {
  const CallRow& row = call.row();
  const bool live = row.status != CallStatus::kFinished;
  if (const std::optional<std::int64_t> end = fold::CelEnd(c); end && *end >= row.start_us) {
    bool replace = false;
    if (live) {
      replace = true;  // ARI has not seen it (yet: CEL's moment stands)
    } else {
      switch (call.end_source) {
        case fold::EndSource::kReconcile:
        case fold::EndSource::kPbxRestart:
          replace = true;  // estimates
          break;
        case fold::EndSource::kDestroyed:
          replace = *end < row.end_us;  // seen late
          break;
        case fold::EndSource::kHangupRequest:
        case fold::EndSource::kStasisEnd:
          // ARI saw the hang-up, unless it saw it only after the gap began
          // and CEL shows it earlier: the first sign of it was in the gap.
          replace = row.end_us > heard_us && *end < row.end_us;
          break;
        default:
          break;
      }
    }
    if (!replace) {
      // ARI saw the end but not the ChannelDestroyed that brings the
      // cause (a soft hangup request ended it), which Asterisk stamped
      // about when the last event heard or after it: it was in the gap.
      // CEL's HANGUP, written with it, has the cause.
      if (!row.hangup_cause && call.end_source != fold::EndSource::kDestroyed && c.cause &&
          *c.cause != q850::kNotDefined && c.hangup_us + kDeliveryReorderUs >= heard_us) {
        fold::HealCause(edits_, call, *c.cause);
        return true;
      }
      return false;
    }
    const std::optional<int> cause =
        c.cause && *c.cause != q850::kNotDefined ? c.cause : std::optional<int>();
    fold::HealEnd(edits_, call, fold::CallEnd{*end, fold::EndSource::kCel, cause, {}});
    return true;
  }
  // No end in the window, but the channel left its last bridge with
  // nothing after it: the hang-up, if its destruction (which Asterisk
  // writes late when loaded) comes with nothing heard in between.
  const std::optional<std::int64_t> exit = fold::CelLastExit(c);
  if (exit && *exit > call.last_heard_us && *exit >= row.start_us) {
    if (live) {
      call.cel_exit_us = *exit;
      return false;  // nothing written yet
    }
    if (call.end_source == fold::EndSource::kDestroyed && *exit < row.end_us) {
      fold::HealEnd(edits_, call, fold::CallEnd{*exit, fold::EndSource::kCel, std::nullopt, {}});
      return true;
    }
  }
  if (!live && call.end_source == fold::EndSource::kPbxRestart && c.last_us > row.end_us) {
    // The restart cut it off: its last line is the last sign of it.
    fold::HealEnd(edits_, call,
                  fold::CallEnd{c.last_us, fold::EndSource::kPbxRestart, std::nullopt, {}});
    return true;
  }
  return false;
}

// A channel CEL showed gone: as its ChannelDestroyed would.
void Projector::ForgetChannel(const std::string& channel_id) {
  if (awaiting_reconcile_) destroyed_since_gap_.insert(channel_id);
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) return;
  LegShows(it->second, LegOutcome::kUnknown);  // a leg still ringing: its end is not known
  for (const auto& b : it->second.bridges) {
    if (auto bi = bridges_.find(b); bi != bridges_.end()) bi->second.erase(channel_id);
  }
  channels_.erase(it);
}

}  // namespace callledger
