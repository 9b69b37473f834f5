#include "audit/call_links.h"

#include <algorithm>
#include <set>

#include "ari/event_decoder.h"
#include "ari/frame_parser.h"
#include "record/record_codec.h"

namespace callledger::audit {
namespace {

// Scanning for a Local other half by name is bounded so a huge ledger cannot
// make one lookup run for minutes.
constexpr std::uint64_t kMaxSiblingScan = 500000;

struct Collector {
  const EventLog& log;
  ari::FrameParser parser;
  ari::EventDecoder decoder;
  CallHistory history;
  std::set<std::string> seen_channels;
  std::set<std::string> seen_bridges;

  explicit Collector(const EventLog& l) : log(l) {}

  Result<Record> Load(Seq seq) {
    ASSIGN_OR_RETURN(std::string bytes, log.ReadEncoded(seq));
    return DecodeRecord(bytes);
  }

  // The channel's name from the first of its records that names it.
  Result<std::string> NameOf(const std::string& channel, const std::vector<Seq>& seqs) {
    for (Seq s : seqs) {
      ASSIGN_OR_RETURN(Record r, Load(s));
      if (r.kind != RecordKind::kAriEvent) continue;
      if (r.channel_ids.empty() || r.channel_ids.front() != channel) continue;
      // A frame that does not parse was kept as received; it names nobody.
      Result<ari::FrameSummary> f = parser.Parse(r.payload);
      if (f.ok() && !f->channel_name.empty()) return f->channel_name;
    }
    return std::string();
  }

  // Adds the channel unless it is already in the history.
  Status Add(const std::string& id, std::string role) {
    if (!seen_channels.insert(id).second) return Status::Ok();
    ASSIGN_OR_RETURN(std::vector<Seq> seqs, log.Lookup(IndexKind::kChannel, id));
    ASSIGN_OR_RETURN(std::string name, NameOf(id, seqs));
    history.channels.push_back(LinkedChannel{id, std::move(name), std::move(role)});
    return Status::Ok();
  }

  // Local/foo@ctx-0001;1 <-> Local/foo@ctx-0001;2, searched near the channel.
  // A damaged record in that range is an error, not a reason to miss the
  // sibling: the history would be silently incomplete.
  Status AddLocalSibling(const LinkedChannel& ch) {
    const std::string& name = ch.name;
    if (!name.starts_with("Local/") || name.size() < 2) return Status::Ok();
    const char half = name.back();
    if (name[name.size() - 2] != ';' || (half != '1' && half != '2')) return Status::Ok();
    std::string sibling = name;
    sibling.back() = half == '1' ? '2' : '1';
    ASSIGN_OR_RETURN(std::vector<Seq> own, log.Lookup(IndexKind::kChannel, ch.id));
    if (own.empty()) return Status::Ok();
    const Seq from = own.front().value > 200 ? Seq{own.front().value - 200} : Seq{1};
    const Seq to = Seq{std::min(own.back().value, from.value + kMaxSiblingScan)};
    std::string found;
    Status damaged;
    RETURN_IF_ERROR(log.ScanEncoded(from, to, [&](Seq, std::string_view bytes) {
      Result<Record> r = DecodeRecord(bytes);
      if (!r.ok()) {
        damaged = r.status();
        return false;
      }
      if (r->kind != RecordKind::kAriEvent || r->channel_ids.empty()) return true;
      if (seen_channels.count(r->channel_ids.front()) != 0) return true;
      Result<ari::FrameSummary> f = parser.Parse(r->payload);
      if (f.ok() && f->channel_name == sibling) {
        found = r->channel_ids.front();
        return false;
      }
      return true;
    }));
    RETURN_IF_ERROR(damaged);
    if (found.empty()) return Status::Ok();
    return Add(found, "local other half");
  }

  Status LinkFrom(const std::string& call_channel) {
    ASSIGN_OR_RETURN(std::vector<Seq> seqs, log.Lookup(IndexKind::kChannel, call_channel));
    std::vector<std::string> bridges;
    for (Seq s : seqs) {
      ASSIGN_OR_RETURN(Record r, Load(s));
      for (const auto& other : r.channel_ids) {
        if (other != call_channel) RETURN_IF_ERROR(Add(other, "same event"));
      }
      for (const auto& b : r.bridge_ids) {
        if (seen_bridges.insert(b).second) bridges.push_back(b);
      }
    }
    for (const auto& b : bridges) {
      history.bridges.push_back(b);
      ASSIGN_OR_RETURN(std::vector<Seq> bseqs, log.Lookup(IndexKind::kBridge, b));
      for (Seq s : bseqs) {
        ASSIGN_OR_RETURN(Record r, Load(s));
        for (const auto& ch : r.channel_ids) RETURN_IF_ERROR(Add(ch, "shared bridge"));
      }
    }
    ASSIGN_OR_RETURN(std::vector<Seq> legs, log.Lookup(IndexKind::kCall, call_channel));
    for (Seq s : legs) {
      ASSIGN_OR_RETURN(Record r, Load(s));
      if (!r.channel_ids.empty())
        RETURN_IF_ERROR(Add(r.channel_ids.front(), "originated for call"));
    }
    return LinkRungLegs(call_channel, seqs);
  }

  // The first snapshot of `channel` in `seqs`' records (seq order) for
  // which `wanted` holds; nullopt if none.
  template <typename Wanted>
  Result<std::optional<ChannelSnapshot>> FindSnapshot(const std::string& channel,
                                                      const std::vector<Seq>& seqs, Wanted wanted) {
    for (Seq s : seqs) {
      ASSIGN_OR_RETURN(Record r, Load(s));
      if (r.kind != RecordKind::kAriEvent) continue;
      Result<AriEvent> e = decoder.DecodeEvent(r.payload);
      if (!e.ok()) continue;
      for (const auto* snap : {&e->channel, &e->peer, &e->caller}) {
        if (*snap && (*snap)->id == channel && wanted(**snap)) {
          return std::optional<ChannelSnapshot>(**snap);
        }
      }
    }
    return std::optional<ChannelSnapshot>();
  }

  // Legs an application originated for the call (docs/projection.md,
  // "Agents"): dialled without a caller while the call channel was about,
  // created after it, showing its caller's number as their connected line.
  // The projector also requires that number to be one live call's only;
  // here every such leg is listed, for the auditor to read.
  Status LinkRungLegs(const std::string& call_channel, const std::vector<Seq>& seqs) {
    if (seqs.empty()) return Status::Ok();
    // A channel is often created before it has a caller number.
    ASSIGN_OR_RETURN(std::optional<ChannelSnapshot> call,
                     FindSnapshot(call_channel, seqs, [](const ChannelSnapshot& snap) {
                       return !snap.caller_number.empty();
                     }));
    if (!call || call->caller_number.empty() || call->creation_us == 0) return Status::Ok();
    const Seq to = Seq{std::min(seqs.back().value, seqs.front().value + kMaxSiblingScan)};
    std::vector<std::string> dialled;
    Status damaged;
    RETURN_IF_ERROR(log.ScanEncoded(seqs.front(), to, [&](Seq, std::string_view bytes) {
      Result<Record> r = DecodeRecord(bytes);
      if (!r.ok()) {
        damaged = r.status();
        return false;
      }
      if (r->kind != RecordKind::kAriEvent || r->event_type != "Dial") return true;
      Result<AriEvent> e = decoder.DecodeEvent(r->payload);
      if (e.ok() && e->peer && !e->caller && e->peer->creation_us > call->creation_us &&
          seen_channels.count(e->peer->id) == 0 &&
          std::find(dialled.begin(), dialled.end(), e->peer->id) == dialled.end()) {
        dialled.push_back(e->peer->id);
      }
      return true;
    }));
    RETURN_IF_ERROR(damaged);
    for (const std::string& leg : dialled) {
      ASSIGN_OR_RETURN(std::vector<Seq> leg_seqs, log.Lookup(IndexKind::kChannel, leg));
      const std::string& number = call->caller_number;
      ASSIGN_OR_RETURN(std::optional<ChannelSnapshot> rung,
                       FindSnapshot(leg, leg_seqs, [&](const ChannelSnapshot& snap) {
                         return snap.connected_number == number;
                       }));
      if (rung) RETURN_IF_ERROR(Add(leg, "rung for call"));
    }
    return Status::Ok();
  }
};

}  // namespace

Result<CallHistory> CollectCall(const EventLog& log, std::string_view id) {
  Collector c(log);
  c.history.query = std::string(id);
  std::vector<std::string> roots;
  ASSIGN_OR_RETURN(std::vector<Seq> by_channel, log.Lookup(IndexKind::kChannel, id));
  if (!by_channel.empty()) {
    c.history.resolved_as = "channel id";
    roots.emplace_back(id);
  } else {
    ASSIGN_OR_RETURN(std::vector<Seq> by_call, log.Lookup(IndexKind::kCall, id));
    for (Seq s : by_call) {
      ASSIGN_OR_RETURN(Record r, c.Load(s));
      Result<ari::FrameSummary> f = c.parser.Parse(r.payload);
      if (!f.ok() || f->channel_ids.empty()) continue;
      const bool names_call =
          (f->has_stasis_args && !f->stasis_args.empty() && f->stasis_args.front() == id) ||
          (f->variable == "CALL_ID" && f->value == id);
      if (names_call &&
          std::find(roots.begin(), roots.end(), f->channel_ids.front()) == roots.end()) {
        roots.push_back(f->channel_ids.front());
      }
    }
    if (roots.empty()) {
      return NotFound("no channel or call with id '" + std::string(id) + "' in the ledger");
    }
    c.history.resolved_as = "call id";
  }
  for (const auto& root : roots) RETURN_IF_ERROR(c.Add(root, "call"));
  for (const auto& root : roots) RETURN_IF_ERROR(c.LinkFrom(root));
  // Local other halves of everything found so far (a copy: Add grows the list).
  const std::vector<LinkedChannel> found = c.history.channels;
  for (const auto& ch : found) RETURN_IF_ERROR(c.AddLocalSibling(ch));

  std::vector<Seq> all;
  for (const auto& ch : c.history.channels) {
    ASSIGN_OR_RETURN(std::vector<Seq> seqs, log.Lookup(IndexKind::kChannel, ch.id));
    all.insert(all.end(), seqs.begin(), seqs.end());
  }
  for (const auto& b : c.history.bridges) {
    ASSIGN_OR_RETURN(std::vector<Seq> seqs, log.Lookup(IndexKind::kBridge, b));
    all.insert(all.end(), seqs.begin(), seqs.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  c.history.seqs = std::move(all);
  return std::move(c.history);
}

}  // namespace callledger::audit
