// The auditors' tools over real captured traffic: export is the inverse of
// import, queries and stats agree with counts taken straight from the
// fixture lines (with Boost.JSON and plain string search, not the ledger's
// own parser), call collection finds the legs of real calls, and JSON lines
// are JSON.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ari/frame_parser.h"
#include "ari/frame_record.h"
#include "audit/call_links.h"
#include "audit/query.h"
#include "audit/render.h"
#include "audit/stats.h"
#include "core/hex.h"
#include "record/record_codec.h"
#include "replay/import.h"
#include "store/memory_event_log.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/stored_records.h"
#include "support/temp_dir.h"

namespace callledger::audit {
namespace {

namespace json = boost::json;

// One fixture line as the test sees it, independently of the ledger's parser.
struct Line {
  std::uint64_t seq = 0;  // the seq it gets when imported into an empty ledger
  std::string text;
  std::string type;
  std::int64_t time_us = 0;
  std::string channel_id;  // "channel".id, if any
  std::string channel_name;
};

// "2026-11-26T14:15:58.161+0500" -> UTC microseconds.
std::int64_t ParseTimestamp(const std::string& s) {
  REQUIRE(s.size() == 28);
  REQUIRE(s[10] == 'T');
  REQUIRE(s[19] == '.');
  auto num = [&](std::size_t at, std::size_t len) { return std::stoi(s.substr(at, len)); };
  using namespace std::chrono;
  const sys_days date = year{num(0, 4)} / month{static_cast<unsigned>(num(5, 2))} /
                        day{static_cast<unsigned>(num(8, 2))};
  const int sign = s[23] == '-' ? -1 : 1;
  REQUIRE((s[23] == '+' || s[23] == '-'));
  const auto offset = sign * (hours{num(24, 2)} + minutes{num(26, 2)});
  const auto local = date + hours{num(11, 2)} + minutes{num(14, 2)} + seconds{num(17, 2)} +
                     milliseconds{num(20, 3)};
  return duration_cast<microseconds>((local - offset).time_since_epoch()).count();
}

std::vector<Line> ReadFixture(const std::filesystem::path& file) {
  std::vector<Line> out;
  for (const auto& text : testing::ReadLines(file)) {
    REQUIRE(!text.empty());
    Line line;
    line.seq = out.size() + 1;
    line.text = text;
    const json::value parsed = json::parse(text);
    const json::object& o = parsed.as_object();
    line.type = std::string(o.at("type").as_string());
    line.time_us = ParseTimestamp(std::string(o.at("timestamp").as_string()));
    if (auto it = o.find("channel"); it != o.end() && it->value().is_object()) {
      line.channel_id = std::string(it->value().as_object().at("id").as_string());
      line.channel_name = std::string(it->value().as_object().at("name").as_string());
    }
    out.push_back(std::move(line));
  }
  return out;
}

void Import(const std::filesystem::path& file, EventLog& log) {
  replay::ImportOptions options;
  options.batch_records = 64;
  options.clock = [] { return std::int64_t{1795684558000000}; };
  Result<replay::ImportReport> report = replay::ImportJsonl(file, log, options);
  INFO(file.filename().string() << ": " << report.status().ToString());
  REQUIRE(report.ok());
}

std::vector<std::uint64_t> QuerySeqs(const EventLog& log, const LogFilter& filter) {
  std::vector<std::uint64_t> seqs;
  Status s = QueryLog(log, filter, [&](const Record& r) {
    seqs.push_back(r.seq.value);
    return true;
  });
  INFO(s.ToString());
  REQUIRE(s.ok());
  return seqs;
}

template <typename Pred>
std::vector<std::uint64_t> SeqsWhere(const std::vector<Line>& lines, Pred pred) {
  std::vector<std::uint64_t> out;
  for (const auto& l : lines) {
    if (pred(l)) out.push_back(l.seq);
  }
  return out;
}

Record Decode(const EventLog& log, Seq seq) { return testing::DecodeStored(log, seq); }

TEST_CASE("export after import is byte-identical to every captured stream") {
  for (const auto& file : testing::CapturedStreams()) {
    INFO(file.filename().string());
    store::MemoryEventLog log("pbx");
    Import(file, log);
    std::ostringstream out;
    Result<ExportCounts> counts = ExportPayloads(log, Seq{1}, Seq{UINT64_MAX}, out);
    REQUIRE(counts.ok());
    const std::string original = testing::ReadFile(file);
    CHECK(out.str() == original);
    CHECK(counts->written == testing::ReadLines(file).size());
    CHECK(counts->skipped_other_kinds == 0);
    CHECK(counts->truncated == 0);
  }
}

TEST_CASE("export of a RocksDB ledger: a seq range, other kinds skipped") {
  testing::TempDir tmp("export-rocks");
  store::RocksOptions options;
  options.node = "pbx";
  auto opened = store::RocksEventLog::Open(tmp / "ledger", options);
  REQUIRE(opened.ok());
  auto& log = **opened;
  const auto file = testing::CaptureDir() / "h-inbound-utf8-callername.observer.jsonl";
  Import(file, log);
  RecordDraft note;
  note.kind = RecordKind::kNote;
  note.reason = "operator note";
  REQUIRE(log.Append(std::vector<RecordDraft>{note}).ok());

  const std::vector<std::string> lines = testing::ReadLines(file);
  std::ostringstream all;
  Result<ExportCounts> counts = ExportPayloads(log, Seq{1}, Seq{UINT64_MAX}, all);
  REQUIRE(counts.ok());
  CHECK(all.str() == testing::ReadFile(file));
  CHECK(counts->written == lines.size());
  CHECK(counts->skipped_other_kinds == 1);

  std::ostringstream part;
  REQUIRE(ExportPayloads(log, Seq{10}, Seq{20}, part).ok());
  std::string expected;
  for (std::size_t i = 9; i < 20; ++i) expected += lines[i] + "\n";
  CHECK(part.str() == expected);
}

TEST_CASE("ComputeStats counts by type and kind as the fixture lines do") {
  for (const auto& file : testing::CapturedStreams()) {
    INFO(file.filename().string());
    const std::vector<Line> lines = ReadFixture(file);
    std::map<std::string, std::uint64_t> by_type;
    std::int64_t first = INT64_MAX, last = INT64_MIN;
    std::uint64_t bytes = 0;
    for (const auto& l : lines) {
      ++by_type[l.type];
      first = std::min(first, l.time_us);
      last = std::max(last, l.time_us);
      bytes += l.text.size();
    }
    store::MemoryEventLog log("pbx-stats");
    Import(file, log);
    Result<LedgerStats> stats = ComputeStats(log);
    REQUIRE(stats.ok());
    CHECK(stats->records == lines.size());
    CHECK(stats->first_seq == Seq{1});
    CHECK(stats->last_seq == Seq{lines.size()});
    CHECK(stats->by_type == by_type);
    CHECK(stats->by_kind == std::map<std::string, std::uint64_t>{{"ari_event", lines.size()}});
    CHECK(stats->first_event_us == first);
    CHECK(stats->last_event_us == last);
    CHECK(stats->payload_bytes == bytes);
    CHECK(stats->info.node == "pbx-stats");
    CHECK(stats->head.seq == Seq{lines.size()});
  }
}

TEST_CASE("the captured streams hold the event counts the fixture README lists") {
  // Guards the independent counting above: summed over the observer streams.
  std::map<std::string, std::uint64_t> observer;
  for (const auto& file : testing::CapturedStreams()) {
    if (file.filename().string().ends_with(".observer.jsonl")) {
      for (const auto& l : ReadFixture(file)) ++observer[l.type];
    }
  }
  CHECK(observer["ChannelDialplan"] == 393);
  CHECK(observer["DeviceStateChanged"] == 180);
  CHECK(observer["ChannelDestroyed"] == 80);
  CHECK(observer["RecordingStarted"] == 2);
}

TEST_CASE("QueryLog filters by type, seq range, time, channel, kind and limit") {
  for (const auto& file : testing::CapturedStreams()) {
    INFO(file.filename().string());
    const std::vector<Line> lines = ReadFixture(file);
    const std::uint64_t n = lines.size();
    store::MemoryEventLog log("pbx-query");
    Import(file, log);
    // One malformed frame and one note after the captured ones.
    ari::FrameParser parser;
    std::vector<RecordDraft> extra = {ari::DraftFromFrame(parser, "{\"type\":", 1)};
    REQUIRE(extra[0].kind == RecordKind::kMalformed);
    extra.emplace_back().kind = RecordKind::kNote;
    REQUIRE(log.Append(extra).ok());

    LogFilter all;
    CHECK(QuerySeqs(log, all).size() == n + 2);

    std::set<std::string> types;
    for (const auto& l : lines) types.insert(l.type);
    for (const auto& type : types) {
      INFO("type " << type);
      LogFilter f;
      f.event_type = type;
      // Substring count over the raw lines, as grep would do it.
      const std::string needle = "\"type\":\"" + type + "\"";
      const auto expected =
          SeqsWhere(lines, [&](const Line& l) { return l.text.find(needle) != std::string::npos; });
      CHECK(QuerySeqs(log, f) == expected);
    }
    {
      LogFilter f;
      f.event_type = "NoSuchEvent";
      CHECK(QuerySeqs(log, f).empty());
    }
    {
      LogFilter f;
      f.from_seq = Seq{n / 3};
      f.to_seq = Seq{2 * n / 3};
      const auto expected =
          SeqsWhere(lines, [&](const Line& l) { return l.seq >= n / 3 && l.seq <= 2 * n / 3; });
      CHECK(QuerySeqs(log, f) == expected);
    }
    {
      // Times are not monotonic in the captures, so this is not a seq range.
      LogFilter f;
      f.since_us = lines[n / 4].time_us;
      f.until_us = lines[3 * n / 4].time_us;
      const auto expected = SeqsWhere(lines, [&](const Line& l) {
        return l.time_us >= *f.since_us && l.time_us < *f.until_us;
      });
      CHECK_FALSE(expected.empty());
      CHECK(QuerySeqs(log, f) == expected);
    }
    {
      LogFilter f;
      f.kind = RecordKind::kMalformed;
      CHECK(QuerySeqs(log, f) == std::vector<std::uint64_t>{n + 1});
      f.kind = RecordKind::kNote;
      CHECK(QuerySeqs(log, f) == std::vector<std::uint64_t>{n + 2});
      f.kind = RecordKind::kAriEvent;
      CHECK(QuerySeqs(log, f).size() == n);
    }
    std::set<std::string> channels;
    for (const auto& l : lines) {
      if (!l.channel_id.empty()) channels.insert(l.channel_id);
    }
    REQUIRE_FALSE(channels.empty());
    for (const auto& channel : channels) {
      INFO("channel " << channel);
      LogFilter f;
      f.channel = channel;
      const std::string needle = "\"id\":\"" + channel + "\"";
      const auto expected =
          SeqsWhere(lines, [&](const Line& l) { return l.text.find(needle) != std::string::npos; });
      CHECK(QuerySeqs(log, f) == expected);
      // Channel and type together.
      f.event_type = "ChannelVarset";
      const auto varsets = SeqsWhere(lines, [&](const Line& l) {
        return l.type == "ChannelVarset" && l.text.find(needle) != std::string::npos;
      });
      CHECK(QuerySeqs(log, f) == varsets);
      // Channel and seq range.
      f.event_type.reset();
      f.from_seq = Seq{n / 2};
      const auto tail = SeqsWhere(lines, [&](const Line& l) {
        return l.seq >= n / 2 && l.text.find(needle) != std::string::npos;
      });
      CHECK(QuerySeqs(log, f) == tail);
    }
    {
      LogFilter f;
      f.channel = "1.1";  // in no capture
      CHECK(QuerySeqs(log, f).empty());
    }
    {
      LogFilter f;
      f.event_type = "ChannelVarset";
      auto expected = SeqsWhere(lines, [](const Line& l) { return l.type == "ChannelVarset"; });
      REQUIRE(expected.size() > 2);
      f.limit = 2;
      expected.resize(2);
      CHECK(QuerySeqs(log, f) == expected);
      f.limit = 0;
      CHECK(QuerySeqs(log, f).empty());
      f.limit = 1;
      f.event_type.reset();
      f.from_seq = Seq{5};
      CHECK(QuerySeqs(log, f) == std::vector<std::uint64_t>{5});
    }
    {
      // The visitor can stop early.
      int visits = 0;
      REQUIRE(QueryLog(log, LogFilter{}, [&](const Record&) { return ++visits < 4; }).ok());
      CHECK(visits == 4);
    }
  }
}

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

TEST_CASE("RecordJsonLine is one JSON object with the record's fields and its frame") {
  const auto file = testing::CaptureDir() / "h-inbound-utf8-callername.call-center.jsonl";
  const std::vector<Line> lines = ReadFixture(file);
  store::MemoryEventLog log("pbx-json");
  Import(file, log);
  for (const auto& l : lines) {
    INFO("seq " << l.seq);
    const Record r = Decode(log, Seq{l.seq});
    const std::string text = RecordJsonLine(r);
    CHECK(text.find('\n') == std::string::npos);
    json::error_code ec;
    json::value v = json::parse(text, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(v.is_object());
    const json::object& o = v.as_object();
    for (const char* key : {"seq", "kind", "event_type", "event_time", "received_at", "channel_ids",
                            "payload", "node", "hash", "prev_hash"}) {
      CHECK(o.contains(key));
    }
    CHECK(o.at("seq").to_number<std::uint64_t>() == l.seq);
    CHECK(o.at("kind") == "ari_event");
    CHECK(o.at("node") == "pbx-json");
    CHECK(o.at("event_type").as_string() == l.type);
    CHECK(o.at("payload") == json::parse(l.text));  // the frame itself, not a string
    CHECK_FALSE(o.contains("payload_hex"));
    const json::array& ids = o.at("channel_ids").as_array();
    REQUIRE(ids.size() == r.channel_ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) CHECK(ids[i].as_string() == r.channel_ids[i]);
    if (!l.channel_id.empty()) {
      REQUIRE_FALSE(ids.empty());
      CHECK(ids[0].as_string() == l.channel_id);
    }
    // Event time in UTC: the +0500 stamp minus five hours.
    REQUIRE(o.at("event_time").is_string());
    const std::string ts(json::parse(l.text).at("timestamp").as_string());
    const int hour = std::stoi(ts.substr(11, 2));
    const std::string utc_prefix = ts.substr(0, 11) + (hour - 5 < 10 ? "0" : "") +
                                   std::to_string(hour - 5) + ts.substr(13, 10);
    REQUIRE(hour >= 5);
    CHECK_THAT(std::string(o.at("event_time").as_string()), Catch::StartsWith(utc_prefix));
    CHECK(o.at("received_at").is_string());
  }
}

TEST_CASE("RecordJsonLine of malformed records: text as a string, other bytes as hex") {
  store::MemoryEventLog log("pbx");
  ari::FrameParser parser;
  const std::string not_utf8 = std::string("{\"type\":\"X\",\"name\":\"") + "\xff\xfe" + "\"}";
  const std::string truncated = R"({"type":"StasisStart","args":["a",)";
  std::vector<RecordDraft> drafts = {ari::DraftFromFrame(parser, not_utf8, 5),
                                     ari::DraftFromFrame(parser, truncated, 6)};
  REQUIRE(drafts[0].kind == RecordKind::kMalformed);
  REQUIRE(drafts[1].kind == RecordKind::kMalformed);
  REQUIRE(log.Append(drafts).ok());

  json::value bad = json::parse(RecordJsonLine(Decode(log, Seq{1})));
  const json::object& o = bad.as_object();
  CHECK(o.at("kind") == "malformed");
  CHECK(o.at("payload").is_null());
  std::string hex;
  for (unsigned char c : not_utf8) {
    const char* digits = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 0xf];
  }
  REQUIRE(o.contains("payload_hex"));
  CHECK(o.at("payload_hex").as_string() == hex);
  REQUIRE(o.contains("reason"));
  CHECK_FALSE(o.at("reason").as_string().empty());
  CHECK(o.at("event_time").is_null());

  json::value text = json::parse(RecordJsonLine(Decode(log, Seq{2})));
  REQUIRE(text.at("payload").is_string());
  CHECK(text.at("payload").as_string() == truncated);
  CHECK_FALSE(text.as_object().contains("payload_hex"));
}

TEST_CASE("RecordJsonLine stays valid JSON for every kind of invalid UTF-8") {
  // Bytes a strict UTF-8 decoder rejects: a stray continuation byte, a
  // truncated sequence, overlong forms, UTF-16 surrogates, code points above
  // U+10FFFF and lead bytes that never occur. The frame parser rejects them
  // all (so they end up in malformed records); the JSON line must still be
  // JSON, which RFC 8259 requires to be UTF-8.
  const std::vector<std::string> bad = {
      "\x80",
      "\xc3",
      "\xc0\xaf",
      "\xc1\xbf",
      "\xe0\x80\xaf",
      "\xed\xa0\x80",
      "\xed\xbf\xbf",
      "\xf0\x80\x80\xaf",
      "\xf4\x90\x80\x80",
      "\xf5\x80\x80\x80",
      "\xf8\x88\x80\x80\x80",
      "\xff",
  };
  store::MemoryEventLog log("pbx");
  ari::FrameParser parser;
  std::vector<RecordDraft> drafts;
  for (const auto& b : bad) {
    drafts.push_back(ari::DraftFromFrame(parser, "{\"type\":\"X\",\"name\":\"" + b + "\"}", 1));
    drafts.push_back(ari::DraftFromFrame(parser, "not json " + b, 1));
  }
  REQUIRE(log.Append(drafts).ok());
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    INFO("record " << i + 1 << " payload hex "
                   << ToHex(
                          std::span(reinterpret_cast<const std::uint8_t*>(drafts[i].payload.data()),
                                    drafts[i].payload.size())));
    CHECK(drafts[i].kind == RecordKind::kMalformed);
    const std::string line = RecordJsonLine(Decode(log, Seq{i + 1}));
    json::error_code ec;
    json::value v = json::parse(line, ec);
    CHECK_FALSE(ec);
    if (ec) continue;
    CHECK(v.at("payload").is_null());
    REQUIRE(v.as_object().contains("payload_hex"));
    CHECK(v.at("payload_hex").as_string() ==
          ToHex(std::span(reinterpret_cast<const std::uint8_t*>(drafts[i].payload.data()),
                          drafts[i].payload.size())));
  }
}

TEST_CASE("RecordJsonLine keeps valid UTF-8 text that is not JSON as a string") {
  // Edge cases of the valid range: 2-, 3- and 4-byte forms, the last code
  // points before and after the surrogates, and U+10FFFF.
  const std::string text =
      "not json: \xd0\x8e\xd1\x82 \xe2\x82\xac \xf0\x9f\x98\x80 "
      "\xed\x9f\xbf \xee\x80\x80 \xf4\x8f\xbf\xbf \xe0\xa0\x80 \xf0\x90\x80\x80";
  store::MemoryEventLog log("pbx");
  ari::FrameParser parser;
  std::vector<RecordDraft> drafts = {ari::DraftFromFrame(parser, text, 1)};
  REQUIRE(drafts[0].kind == RecordKind::kMalformed);
  REQUIRE(log.Append(drafts).ok());
  json::value v = json::parse(RecordJsonLine(Decode(log, Seq{1})));
  REQUIRE(v.at("payload").is_string());
  CHECK(v.at("payload").as_string() == text);
  CHECK_FALSE(v.as_object().contains("payload_hex"));
}

}  // namespace
}  // namespace callledger::audit
