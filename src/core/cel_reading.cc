#include "core/cel_reading.h"

#include <algorithm>
#include <set>

#include "core/stasis_app_data.h"

namespace callledger::fold {
namespace {

// The names in a BRIDGE_ENTER's `peer` (BRIDGEPEER: comma separated).
std::vector<std::string> PeerNames(const std::string& peer) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin < peer.size()) {
    std::size_t comma = peer.find(',', begin);
    if (comma == std::string::npos) comma = peer.size();
    if (comma > begin) out.push_back(peer.substr(begin, comma - begin));
    begin = comma + 1;
  }
  return out;
}

bool IsStasisOf(const CelFact& f, std::string_view call_app) {
  return f.appname == "Stasis" && SplitAppData(f.appdata).app == call_app;
}

// Whether a line of the channel after its last bridge exit is only its
// end going through.
bool IsEndOnly(const CelFact& f, std::string_view call_app) {
  switch (f.type) {
    case CelEventType::kHangup:
    case CelEventType::kChanEnd:
    case CelEventType::kLinkedIdEnd:
      return true;
    case CelEventType::kAppEnd:
      return IsStasisOf(f, call_app);
    default:
      return false;
  }
}

// Bridges as the lines show them, and the first connection of every
// channel in them.
class BridgeWatch {
 public:
  BridgeWatch(std::map<std::string, CelChannel>& channels,
              const std::map<std::string, std::string>& id_by_name)
      : channels_(channels), id_by_name_(id_by_name) {}

  void Enter(const CelFact& f) {
    std::set<std::string>& members = bridges_[f.bridge_id];
    // Channels already in the bridge before the window began are named
    // by the line itself.
    for (const auto& name : PeerNames(f.peer)) {
      const auto id = id_by_name_.find(name);
      members.insert(id != id_by_name_.end() ? id->second : "name:" + name);
    }
    members.insert(f.uniqueid);
    Check(f.bridge_id, f.time_us);
  }
  void Exit(const CelFact& f) { bridges_[f.bridge_id].erase(f.uniqueid); }
  void Gone(const std::string& id) {
    for (auto& [bridge, members] : bridges_) members.erase(id);
  }
  void Answered(const std::string& id, std::int64_t time_us) {
    for (const auto& [bridge, members] : bridges_) {
      if (members.count(id) != 0) Check(bridge, time_us);
    }
  }

 private:
  // A member is a party when it is not Asterisk's own, and Up: it
  // answered, or it was there before the window (no CHAN_START) and the
  // window says nothing of its answer.
  bool IsUpParty(const std::string& id, std::int64_t now, bool* seen) const {
    if (id.starts_with("name:")) {
      *seen = false;
      return !IsInternalChannelName(std::string_view(id).substr(5));
    }
    const auto c = channels_.find(id);
    if (c == channels_.end()) return false;
    if (IsInternalChannelName(c->second.name)) return false;
    if (c->second.answer_us != 0 && c->second.answer_us <= now) {
      *seen = true;
      return true;
    }
    *seen = false;
    return c->second.start_us == 0 && c->second.answer_us == 0;
  }

  void Check(const std::string& bridge, std::int64_t now) {
    const std::set<std::string>& members = bridges_[bridge];
    for (const auto& id : members) {
      const auto me = channels_.find(id);
      if (me == channels_.end() || me->second.connection) continue;
      for (const auto& other : members) {
        bool seen = false;
        if (other == id || !IsUpParty(other, now, &seen)) continue;
        me->second.connection = CelConnection{now, other, seen};
        break;
      }
    }
  }

  std::map<std::string, CelChannel>& channels_;
  const std::map<std::string, std::string>& id_by_name_;
  std::map<std::string, std::set<std::string>> bridges_;
};

}  // namespace

bool IsInternalChannelName(std::string_view name) {
  return name.starts_with("Announcer/") || name.starts_with("Recorder/") ||
         name.starts_with("Snoop/");
}

std::map<std::string, CelChannel> ReadCelChannels(const std::vector<CelFact>& facts,
                                                  std::string_view call_app) {
  std::vector<const CelFact*> order;
  order.reserve(facts.size());
  for (const auto& f : facts) {
    if (!f.uniqueid.empty()) order.push_back(&f);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const CelFact* a, const CelFact* b) { return a->time_us < b->time_us; });

  std::map<std::string, CelChannel> channels;
  std::map<std::string, std::string> id_by_name;
  for (const CelFact* f : order) {
    CelChannel& c = channels[f->uniqueid];
    if (c.id.empty()) {
      c.id = f->uniqueid;
      c.first_us = f->time_us;
    }
    if (c.name.empty() && !f->channame.empty()) {
      c.name = f->channame;
      id_by_name.emplace(f->channame, f->uniqueid);
    }
  }

  BridgeWatch watch(channels, id_by_name);
  for (const CelFact* f : order) {
    CelChannel& c = channels[f->uniqueid];
    if (c.last_exit_us != 0 && !IsEndOnly(*f, call_app)) c.active_after_exit = true;
    c.last_us = f->time_us;
    switch (f->type) {
      case CelEventType::kChanStart:
        c.start_us = f->time_us;
        break;
      case CelEventType::kAnswer:
        if (c.answer_us == 0) {
          c.answer_us = f->time_us;
          watch.Answered(c.id, f->time_us);
        }
        break;
      case CelEventType::kAppStart:
        if (IsStasisOf(*f, call_app)) {
          if (c.stasis_start_us == 0) {
            c.stasis_start_us = f->time_us;
            c.stasis_args = SplitAppData(f->appdata).args;
            c.caller_name = f->name;
            c.caller_num = f->num;
            c.exten = f->exten;
          }
          c.stasis_end_us = 0;  // in the application again
        } else if (f->appname == "MixMonitor" && c.mixmonitor.empty()) {
          c.mixmonitor = SplitAppData(f->appdata).app;  // the file: its first argument
          c.mixmonitor_us = f->time_us;
        }
        break;
      case CelEventType::kAppEnd:
        if (IsStasisOf(*f, call_app)) c.stasis_end_us = f->time_us;
        break;
      case CelEventType::kBridgeEnter:
        c.last_exit_us = 0;
        c.active_after_exit = false;
        watch.Enter(*f);
        break;
      case CelEventType::kBridgeExit:
        c.last_exit_us = f->time_us;
        c.active_after_exit = false;
        watch.Exit(*f);
        break;
      case CelEventType::kHangup:
        c.hangup_us = f->time_us;
        c.cause = f->hangupcause;
        c.ended = true;
        watch.Gone(c.id);
        break;
      case CelEventType::kChanEnd:
        c.ended = true;
        watch.Gone(c.id);
        break;
      case CelEventType::kLinkedIdEnd:
      case CelEventType::kOther:
        break;
    }
  }
  return channels;
}

std::optional<std::int64_t> CelLastExit(const CelChannel& c) {
  if (c.last_exit_us == 0 || c.active_after_exit || c.last_exit_us < c.stasis_start_us) {
    return std::nullopt;
  }
  return c.last_exit_us;
}

std::optional<std::int64_t> CelEnd(const CelChannel& c) {
  if (c.stasis_end_us == 0 && c.hangup_us == 0) return std::nullopt;
  std::int64_t end = c.stasis_end_us != 0 ? c.stasis_end_us : c.hangup_us;
  if (c.hangup_us != 0) end = std::min(end, c.hangup_us);
  if (const auto exit = CelLastExit(c)) end = std::min(end, *exit);
  return end;
}

}  // namespace callledger::fold
