// Reading CEL lines (payload/cel_event.h) on every line Asterisk wrote in
// fixtures/asterisk-cel: each parses, and its eventtime is ARI's: the
// observer streams' ChannelCreated / ChannelDestroyed timestamps equal the
// channels' CHAN_START / CHAN_END eventtimes cut to milliseconds (the
// frames are read here with Boost.JSON, not with the ledger's parsers).
#include "payload/cel_event.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/utc_time.h"
#include "support/fixtures.h"

namespace callledger::payload {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

fs::path CelDir() { return testing::SourceDir() / "fixtures" / "asterisk-cel"; }

std::vector<fs::path> Files(const std::string& suffix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(CelDir())) {
    if (entry.path().filename().string().ends_with(suffix)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t Millis(std::int64_t us) { return us / 1000; }

TEST_CASE("cel event times: seconds and up to six fraction digits, nothing else") {
  CHECK(ParseCelEventTime("1796643893.391738") == 1796643893391738);
  CHECK(ParseCelEventTime("0.000001") == 1);
  CHECK(ParseCelEventTime("5.25") == 5250000);
  for (const char* bad : {"", ".5", "5.", "5", "5.1234567", "-5.000001", " 5.000001", "5.00000a",
                          "1796643893,391738", "99999999999999999.000000", "2026-12-07 11:48:02"}) {
    INFO(bad);
    CHECK_FALSE(ParseCelEventTime(bad).has_value());
  }
}

TEST_CASE("a CEL line: the fields, and hangup cause and bridge from eventextra") {
  CelLineDecoder decoder;
  // The README's example line (scenario a, the call channel hanging up).
  auto e = decoder.Decode(
      R"({"eventtype":"HANGUP","eventtime":"1796643893.391738","uniqueid":"1796643888.5",)"
      R"("linkedid":"1796643888.4","channame":"Local/712001122@from-external-00000002;2",)"
      R"("appname":"","appdata":"","name":"","num":"998901234567","exten":"712001122",)"
      R"("context":"from-external","peer":"","eventextra":"{\"hangupcause\":16,)"
      R"(\"hangupsource\":\"\",\"dialstatus\":\"\"}","userdeftype":"","amaflags":3,)"
      R"("accountcode":"","peeraccount":"","userfield":""})");
  REQUIRE(e.ok());
  CHECK(e->eventtype == "HANGUP");
  CHECK(e->eventtime_us == 1796643893391738);
  CHECK(e->uniqueid == "1796643888.5");
  CHECK(e->linkedid == "1796643888.4");
  CHECK(e->channame == "Local/712001122@from-external-00000002;2");
  CHECK(e->num == "998901234567");
  CHECK(e->exten == "712001122");
  CHECK(e->context == "from-external");
  CHECK(e->hangupcause == 16);
  CHECK(e->dialstatus.empty());
  CHECK(e->bridge_id.empty());

  auto bridge = decoder.Decode(
      R"({"eventtype":"BRIDGE_ENTER","eventtime":"1.5","eventextra":"{\"bridge_id\":\"b-1\"}"})");
  REQUIRE(bridge.ok());
  CHECK(bridge->bridge_id == "b-1");
  CHECK_FALSE(bridge->hangupcause.has_value());

  // Missing or mistyped fields read as absent; eventextra that is not JSON
  // only leaves its fields empty.
  auto sparse = decoder.Decode(R"({"eventtype":7,"eventtime":"soon","eventextra":"{oops"})");
  REQUIRE(sparse.ok());
  CHECK(sparse->eventtype.empty());
  CHECK_FALSE(sparse->eventtime_us.has_value());
  CHECK(sparse->eventextra == "{oops");

  for (const char* bad : {"", "not json", "[1]", "\"x\"", R"({"eventtype":"HANGUP")"}) {
    INFO(bad);
    auto r = decoder.Decode(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidInput);
  }
}

TEST_CASE("every line of every CEL capture reads, with its eventtime") {
  CelLineDecoder decoder;
  std::map<std::string, int> types;
  std::size_t lines = 0;
  for (const auto& file : Files(".cel.jsonl")) {
    for (const auto& line : testing::ReadLines(file)) {
      if (line.empty()) continue;
      INFO(file.filename().string() << ": " << line);
      auto e = decoder.Decode(line);
      REQUIRE(e.ok());
      REQUIRE(e->eventtime_us.has_value());
      CHECK_FALSE(e->uniqueid.empty());
      ++types[e->eventtype];
      ++lines;
      if (e->eventtype == "HANGUP") CHECK(e->hangupcause.has_value());
      if (e->eventtype.starts_with("BRIDGE_")) CHECK_FALSE(e->bridge_id.empty());
    }
  }
  CHECK(lines == 6811);  // the README's table, summed
  CHECK(types["CHAN_START"] == types["CHAN_END"]);
  CHECK(types["HANGUP"] == types["CHAN_END"]);
}

TEST_CASE("CEL eventtime is ARI's clock: CHAN_START/CHAN_END cut to ms equal the frames' times") {
  CelLineDecoder decoder;
  std::size_t compared = 0;
  for (const auto& cel_file : Files(".cel.jsonl")) {
    std::map<std::string, std::int64_t> start_us, end_us;
    for (const auto& line : testing::ReadLines(cel_file)) {
      if (line.empty()) continue;
      auto e = decoder.Decode(line);
      REQUIRE(e.ok());
      if (e->eventtype == "CHAN_START") start_us[e->uniqueid] = *e->eventtime_us;
      if (e->eventtype == "CHAN_END") end_us[e->uniqueid] = *e->eventtime_us;
    }
    std::string observer = cel_file.string();
    observer.replace(observer.size() - std::string(".cel.jsonl").size(), std::string::npos,
                     ".observer.jsonl");
    for (const auto& frame : testing::ReadLines(observer)) {
      if (frame.empty()) continue;
      const json::object o = json::parse(frame).as_object();
      const std::string type(o.at("type").as_string());
      if (type != "ChannelCreated" && type != "ChannelDestroyed") continue;
      const std::string id(o.at("channel").as_object().at("id").as_string());
      const auto ari = ParseIsoTimestamp(std::string(o.at("timestamp").as_string()));
      REQUIRE(ari.has_value());
      const auto& cel = type == "ChannelCreated" ? start_us : end_us;
      INFO(observer << " " << type << " " << id);
      REQUIRE(cel.count(id) == 1);
      CHECK(Millis(cel.at(id)) == Millis(*ari));
      ++compared;
    }
  }
  CHECK(compared == 892);  // every such frame of the observer streams (README)
}

TEST_CASE("q-observer-gap: each call's Stasis arguments and hangup cause are in CEL") {
  CelLineDecoder decoder;
  std::map<std::string, std::string> stasis;  // call channel -> app data
  std::map<std::int64_t, int> causes;
  std::vector<CelEvent> hangups;
  for (const auto& line : testing::ReadLines(CelDir() / "q-observer-gap.cel.jsonl")) {
    if (line.empty()) continue;
    auto e = decoder.Decode(line);
    REQUIRE(e.ok());
    if (e->eventtype == "APP_START" && e->appname == "Stasis" &&
        e->appdata.starts_with("call-center,") && !e->appdata.starts_with("call-center,agent,")) {
      stasis[e->uniqueid] = e->appdata;
    }
    if (e->eventtype == "HANGUP") hangups.push_back(*e);
  }
  CHECK(stasis.size() == 12);
  for (const auto& e : hangups) {
    if (stasis.count(e.uniqueid)) ++causes[*e.hangupcause];
  }
  // q01 and q07 ended unanswered (19), the others normally (16).
  CHECK(causes[19] == 2);
  CHECK(causes[16] == 10);
}

TEST_CASE("CelFactOf: the projector's reading of a line, its time cut to ARI's milliseconds") {
  CelLineDecoder decoder;
  auto e = decoder.Decode(
      R"({"eventtype":"HANGUP","eventtime":"1796643893.391738","uniqueid":"1796643888.5",)"
      R"("linkedid":"1796643888.4","channame":"Local/712001122@from-external-00000002;2",)"
      R"("appname":"","appdata":"","name":"","num":"998901234567","exten":"712001122",)"
      R"("context":"from-external","peer":"","eventextra":"{\"hangupcause\":16,\"hangupsource\":\"\",\"dialstatus\":\"\"}"})");
  REQUIRE(e.ok());
  const auto fact = CelFactOf(*e);
  REQUIRE(fact.has_value());
  CHECK(fact->type == CelEventType::kHangup);
  CHECK(fact->time_us == 1796643893391000);
  CHECK(fact->uniqueid == "1796643888.5");
  CHECK(fact->num == "998901234567");
  CHECK(fact->hangupcause == 16);

  CelEvent other = *e;
  other.eventtype = "DTMF";
  CHECK(CelFactOf(other)->type == CelEventType::kOther);
  other.eventtype = "LINKEDID_END";
  CHECK(CelFactOf(other)->type == CelEventType::kLinkedIdEnd);
  other.eventtime_us.reset();
  CHECK_FALSE(CelFactOf(other).has_value());  // no moment: no fact
}

TEST_CASE("every line of every CEL capture reads as a fact, APP_START of Stasis with its data") {
  CelLineDecoder decoder;
  std::size_t facts = 0, stasis = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CelDir())) {
    if (!entry.path().string().ends_with(".cel.jsonl")) continue;
    for (const auto& line : testing::ReadLines(entry.path())) {
      if (line.empty()) continue;
      auto e = decoder.Decode(line);
      REQUIRE(e.ok());
      const auto fact = CelFactOf(*e);
      REQUIRE(fact.has_value());
      CHECK(fact->time_us % 1000 == 0);
      ++facts;
      if (fact->type == CelEventType::kAppStart && fact->appname == "Stasis") {
        CHECK(fact->appdata.starts_with("call-center,"));
        ++stasis;
      }
    }
  }
  CHECK(facts > 6000);
  CHECK(stasis > 100);
}

}  // namespace
}  // namespace callledger::payload
