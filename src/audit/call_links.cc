#include "audit/call_links.h"

#include <algorithm>
#include <set>

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
  CallHistory history;
  std::set<std::string> seen_channels;
  std::set<std::string> seen_bridges;

  explicit Collector(const EventLog& l) : log(l) {}

  Result<Record> Load(Seq seq) {
    Result<std::string> bytes = log.ReadEncoded(seq);
    if (!bytes.ok()) return bytes.status();
    return DecodeRecord(*bytes);
  }

  // The channel's name from the first of its records that names it.
  std::string NameOf(const std::string& channel, const std::vector<Seq>& seqs) {
    for (Seq s : seqs) {
      Result<Record> r = Load(s);
      if (!r.ok() || r->kind != RecordKind::kAriEvent) continue;
      if (r->channel_ids.empty() || r->channel_ids.front() != channel) continue;
      Result<ari::FrameSummary> f = parser.Parse(r->payload);
      if (f.ok() && !f->channel_name.empty()) return f->channel_name;
    }
    return {};
  }

  bool Add(const std::string& id, std::string role) {
    if (!seen_channels.insert(id).second) return false;
    Result<std::vector<Seq>> seqs = log.Lookup(IndexKind::kChannel, id);
    std::string name = seqs.ok() ? NameOf(id, *seqs) : std::string();
    history.channels.push_back(LinkedChannel{id, std::move(name), std::move(role)});
    return true;
  }

  // Local/foo@ctx-0001;1 <-> Local/foo@ctx-0001;2, searched near the channel.
  void AddLocalSibling(const LinkedChannel& ch) {
    const std::string& name = ch.name;
    if (!name.starts_with("Local/") || name.size() < 2) return;
    const char half = name.back();
    if (name[name.size() - 2] != ';' || (half != '1' && half != '2')) return;
    std::string sibling = name;
    sibling.back() = half == '1' ? '2' : '1';
    Result<std::vector<Seq>> own = log.Lookup(IndexKind::kChannel, ch.id);
    if (!own.ok() || own->empty()) return;
    const Seq from = own->front().value > 200 ? Seq{own->front().value - 200} : Seq{1};
    const Seq to = Seq{std::min(own->back().value, from.value + kMaxSiblingScan)};
    std::string found;
    (void)log.ScanEncoded(from, to, [&](Seq, std::string_view bytes) {
      Result<Record> r = DecodeRecord(bytes);
      if (!r.ok() || r->kind != RecordKind::kAriEvent || r->channel_ids.empty()) return true;
      if (seen_channels.count(r->channel_ids.front()) != 0) return true;
      Result<ari::FrameSummary> f = parser.Parse(r->payload);
      if (f.ok() && f->channel_name == sibling) {
        found = r->channel_ids.front();
        return false;
      }
      return true;
    });
    if (!found.empty()) Add(found, "local other half");
  }

  Status LinkFrom(const std::string& call_channel) {
    Result<std::vector<Seq>> seqs = log.Lookup(IndexKind::kChannel, call_channel);
    if (!seqs.ok()) return seqs.status();
    std::vector<std::string> bridges;
    for (Seq s : *seqs) {
      Result<Record> r = Load(s);
      if (!r.ok()) return r.status();
      for (const auto& other : r->channel_ids) {
        if (other != call_channel) Add(other, "same event");
      }
      for (const auto& b : r->bridge_ids) {
        if (seen_bridges.insert(b).second) bridges.push_back(b);
      }
    }
    for (const auto& b : bridges) {
      history.bridges.push_back(b);
      Result<std::vector<Seq>> bseqs = log.Lookup(IndexKind::kBridge, b);
      if (!bseqs.ok()) return bseqs.status();
      for (Seq s : *bseqs) {
        Result<Record> r = Load(s);
        if (!r.ok()) return r.status();
        for (const auto& ch : r->channel_ids) Add(ch, "shared bridge");
      }
    }
    Result<std::vector<Seq>> legs = log.Lookup(IndexKind::kCall, call_channel);
    if (!legs.ok()) return legs.status();
    for (Seq s : *legs) {
      Result<Record> r = Load(s);
      if (!r.ok()) return r.status();
      if (!r->channel_ids.empty()) Add(r->channel_ids.front(), "originated for call");
    }
    return Status::Ok();
  }
};

}  // namespace

Result<CallHistory> CollectCall(const EventLog& log, std::string_view id) {
  Collector c(log);
  c.history.query = std::string(id);
  std::vector<std::string> roots;
  Result<std::vector<Seq>> by_channel = log.Lookup(IndexKind::kChannel, id);
  if (!by_channel.ok()) return by_channel.status();
  if (!by_channel->empty()) {
    c.history.resolved_as = "channel id";
    roots.emplace_back(id);
  } else {
    Result<std::vector<Seq>> by_call = log.Lookup(IndexKind::kCall, id);
    if (!by_call.ok()) return by_call.status();
    for (Seq s : *by_call) {
      Result<Record> r = c.Load(s);
      if (!r.ok()) return r.status();
      Result<ari::FrameSummary> f = c.parser.Parse(r->payload);
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
  for (const auto& root : roots) c.Add(root, "call");
  for (const auto& root : roots) {
    if (Status s = c.LinkFrom(root); !s.ok()) return s;
  }
  // Local other halves of everything found so far (a copy: Add grows the list).
  const std::vector<LinkedChannel> found = c.history.channels;
  for (const auto& ch : found) c.AddLocalSibling(ch);

  std::vector<Seq> all;
  for (const auto& ch : c.history.channels) {
    Result<std::vector<Seq>> seqs = log.Lookup(IndexKind::kChannel, ch.id);
    if (!seqs.ok()) return seqs.status();
    all.insert(all.end(), seqs->begin(), seqs->end());
  }
  for (const auto& b : c.history.bridges) {
    Result<std::vector<Seq>> seqs = log.Lookup(IndexKind::kBridge, b);
    if (!seqs.ok()) return seqs.status();
    all.insert(all.end(), seqs->begin(), seqs->end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  c.history.seqs = std::move(all);
  return std::move(c.history);
}

}  // namespace callledger::audit
