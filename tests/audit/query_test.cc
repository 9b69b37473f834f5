// QueryLog over real captured traffic: every filter (type, seq range, time,
// channel, kind, limit, and their combinations) selects exactly the seqs a
// plain string search over the fixture lines selects, as grep would.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "ari/frame_parser.h"
#include "ari/frame_record.h"
#include "audit/query.h"
#include "fixture_lines.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"

namespace callledger::audit {
namespace {

using testing::Import;
using testing::Line;
using testing::ReadFixture;
using testing::SeqsWhere;

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

}  // namespace
}  // namespace callledger::audit
