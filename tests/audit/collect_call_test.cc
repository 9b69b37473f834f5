// CollectCall on sound ledgers of real captured traffic: it finds the legs
// of real calls (both agents and the transfer of k1), resolves a call id as
// well as a channel id, and says kNotFound for anything else. Its results on
// damaged ledgers are in call_links_test.cc.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "audit/call_links.h"
#include "fixture_lines.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"

namespace callledger::audit {
namespace {

namespace json = boost::json;
using testing::Decode;
using testing::Import;
using testing::Line;
using testing::ReadFixture;
using testing::SeqsWhere;

struct ChannelInfo {
  std::string id;
  std::string name;
};

// Every distinct channel (id, name) in the fixture's `channel` objects.
std::vector<ChannelInfo> Channels(const std::vector<Line>& lines) {
  std::vector<ChannelInfo> out;
  std::set<std::string> seen;
  for (const auto& l : lines) {
    if (!l.channel_id.empty() && seen.insert(l.channel_id).second) {
      out.push_back({l.channel_id, l.channel_name});
    }
  }
  return out;
}

std::string IdNamed(const std::vector<ChannelInfo>& channels, const std::string& prefix,
                    const std::string& suffix) {
  std::string found;
  for (const auto& c : channels) {
    if (c.name.starts_with(prefix) && c.name.ends_with(suffix)) {
      REQUIRE(found.empty());  // exactly one
      found = c.id;
    }
  }
  REQUIRE_FALSE(found.empty());
  return found;
}

bool Has(const CallHistory& h, const std::string& id) {
  for (const auto& c : h.channels) {
    if (c.id == id) return true;
  }
  return false;
}

TEST_CASE("CollectCall on the k1 transfer finds the call, both agents and the transfer") {
  const std::string call = "1795684640.55";
  for (const char* stream : {"call-center", "observer"}) {
    const auto file =
        testing::CaptureDir() / ("k1-transfer-hold-dtmf." + std::string(stream) + ".jsonl");
    INFO(file.filename().string());
    const std::vector<Line> lines = ReadFixture(file);
    const auto channels = Channels(lines);
    const std::string agent101 = IdNamed(channels, "Local/101@agents-", ";1");
    const std::string agent102 = IdNamed(channels, "Local/102@agents-", ";1");
    store::MemoryEventLog log("pbx");
    Import(file, log);

    Result<CallHistory> h = CollectCall(log, call);
    REQUIRE(h.ok());
    CHECK(h->resolved_as == "channel id");
    REQUIRE_FALSE(h->channels.empty());
    CHECK(h->channels.front().id == call);
    CHECK(h->channels.front().role == "call");
    CHECK(h->channels.front().name == "Local/712001122@from-external-0000001b;2");
    CHECK(Has(*h, agent101));
    CHECK(Has(*h, agent102));
    if (std::string(stream) == "observer") {
      // The caller's half of the Local channel only shows on the observer.
      const std::string caller = IdNamed(channels, "Local/712001122@from-external-", ";1");
      CHECK(Has(*h, caller));
    }
    std::set<std::string> ids;
    for (const auto& c : h->channels) CHECK(ids.insert(c.id).second);  // no duplicates

    // Ascending, unique.
    for (std::size_t i = 1; i < h->seqs.size(); ++i) CHECK(h->seqs[i - 1] < h->seqs[i]);
    // Every record whose subject is the call channel is in the history.
    const std::set<std::uint64_t> in_history = [&] {
      std::set<std::uint64_t> s;
      for (Seq q : h->seqs) s.insert(q.value);
      return s;
    }();
    for (const auto& l : lines) {
      if (l.channel_id == call) CHECK(in_history.count(l.seq) == 1);
    }
    // The agents entering the bridge: 101 first, then 102 (the transfer).
    const auto entered101 = SeqsWhere(lines, [&](const Line& l) {
      return l.type == "ChannelEnteredBridge" && l.channel_id == agent101;
    });
    const auto entered102 = SeqsWhere(lines, [&](const Line& l) {
      return l.type == "ChannelEnteredBridge" && l.channel_id == agent102;
    });
    REQUIRE(entered101.size() == 1);
    REQUIRE(entered102.size() == 1);
    CHECK(entered101[0] < entered102[0]);
    CHECK(in_history.count(entered101[0]) == 1);
    CHECK(in_history.count(entered102[0]) == 1);
    const Record transfer = Decode(log, Seq{entered102[0]});
    CHECK(transfer.event_type == "ChannelEnteredBridge");
    REQUIRE_FALSE(transfer.channel_ids.empty());
    CHECK(transfer.channel_ids.front() == agent102);
    // The bridge itself is part of the history.
    REQUIRE_FALSE(transfer.bridge_ids.empty());
    CHECK(std::find(h->bridges.begin(), h->bridges.end(), transfer.bridge_ids.front()) !=
          h->bridges.end());
  }
}

// Issue 14: the auditor view of k2 lists every agent the hunt rang, the
// two that never entered Stasis (101 no answer, 102 busy) included, on
// both streams; and an outbound call's busy far end on the observer's.
std::string RoleOf(const CallHistory& h, const std::string& id) {
  for (const auto& c : h.channels) {
    if (c.id == id) return c.role;
  }
  return "";
}

// The role CollectCall gives each channel named `prefix`...`suffix` in the
// capture `file`, for the call channel `call`.
std::string RoleIn(const std::string& file, const std::string& call, const std::string& prefix,
                   const std::string& suffix) {
  const auto path = testing::CaptureDir() / file;
  store::MemoryEventLog log("pbx");
  Import(path, log);
  Result<CallHistory> h = CollectCall(log, call);
  REQUIRE(h.ok());
  return RoleOf(*h, IdNamed(Channels(ReadFixture(path)), prefix, suffix));
}

TEST_CASE("CollectCall lists the legs a hunt rang, and an outbound call's far end") {
  for (const std::string stream : {"call-center", "observer"}) {
    const std::string file = "k2-agent-hunt." + stream + ".jsonl";
    INFO(file);
    CHECK(RoleIn(file, "1795684654.61", "Local/101@agents-", ";1") == "rung for call");
    CHECK(RoleIn(file, "1795684654.61", "Local/102@agents-", ";1") == "rung for call");
    CHECK(RoleIn(file, "1795684654.61", "Local/103@agents-", ";1") == "shared bridge");
  }
  const std::string d = "d-outbound-busy.observer.jsonl";
  CHECK(RoleIn(d, "1795684598.25", "Local/998935550000@pstn-", ";1") == "rung for call");
  // The call's own Local half was made with it: no leg.
  CHECK(RoleIn(d, "1795684598.25", "Local/998935550000@outbound-", ";1") == "local other half");
}

TEST_CASE("CollectCall by call id finds the call channel of a2") {
  for (const char* stream : {"call-center", "observer"}) {
    const auto file =
        testing::CaptureDir() / ("a2-inbound-answered-uuidfn." + std::string(stream) + ".jsonl");
    INFO(file.filename().string());
    // The call id as the fixture states it: StasisStart args[0] on
    // call-center, the CALL_ID ChannelVarset on the observer.
    std::string call_id, call_channel;
    for (const auto& text : testing::ReadLines(file)) {
      const json::value parsed = json::parse(text);
      const json::object& o = parsed.as_object();
      if (o.at("type") == "StasisStart" && o.at("args").as_array().size() == 4) {
        call_id = std::string(o.at("args").as_array()[0].as_string());
        call_channel = std::string(o.at("channel").as_object().at("id").as_string());
        break;
      }
      if (o.at("type") == "ChannelVarset" && o.at("variable") == "CALL_ID") {
        call_id = std::string(o.at("value").as_string());
        call_channel = std::string(o.at("channel").as_object().at("id").as_string());
        break;
      }
    }
    REQUIRE(call_id.size() == 36);  // a UUID
    store::MemoryEventLog log("pbx");
    Import(file, log);

    Result<CallHistory> h = CollectCall(log, call_id);
    REQUIRE(h.ok());
    CHECK(h->resolved_as == "call id");
    CHECK(h->query == call_id);
    REQUIRE_FALSE(h->channels.empty());
    CHECK(h->channels.front().id == call_channel);
    CHECK(h->channels.front().role == "call");
    CHECK_THAT(h->channels.front().name,
               Catch::StartsWith("Local/712001122@from-external-uuidfn-"));
    // The same history as asking by the channel id.
    Result<CallHistory> by_channel = CollectCall(log, call_channel);
    REQUIRE(by_channel.ok());
    CHECK(by_channel->seqs == h->seqs);
  }
}

TEST_CASE("CollectCall of an unknown id is kNotFound") {
  store::MemoryEventLog log("pbx");
  Import(testing::CaptureDir() / "k1-transfer-hold-dtmf.observer.jsonl", log);
  for (const char* id : {"1795684640.999", "no-such-call", "", "1795684640.5"}) {
    INFO("id '" << id << "'");
    Result<CallHistory> h = CollectCall(log, id);
    REQUIRE_FALSE(h.ok());
    CHECK(h.status().code() == Code::kNotFound);
  }
  // The production dialplan's empty args[0] names no call either.
  store::MemoryEventLog empty("pbx");
  CHECK(CollectCall(empty, "1795684640.55").status().code() == Code::kNotFound);
}

}  // namespace
}  // namespace callledger::audit
