// The CEL log of a restarted Asterisk (ari/restart_cel.h): a killed
// Asterisk writes nothing more, nothing is written while it is down, and
// the new process logs its own channels as usual. On real captures with
// their CEL logs, and on lines made up here for the edges.
#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <set>
#include <string>
#include <vector>

#include "ari/live_state.h"
#include "ari/restart_cel.h"
#include "ari/restart_plan.h"
#include "restart_captures.h"
#include "support/fixtures.h"

namespace callledger::ari {
namespace {

namespace json = boost::json;
using testing::Capture;
using testing::ReadCapture;
using testing::Views;

struct Line {
  std::int64_t time_us = 0;
  std::string uniqueid;
  std::string linkedid;
};

Line Read(const std::string& text) {
  const json::value line = json::parse(text);
  const std::string time(line.at("eventtime").as_string());
  const std::size_t dot = time.find('.');
  return {std::stoll(time.substr(0, dot)) * 1'000'000 + std::stoll(time.substr(dot + 1)),
          std::string(line.at("uniqueid").as_string()),
          std::string(line.at("linkedid").as_string())};
}

TEST_CASE("a restarted Asterisk's CEL log: the old process's lines stop at its death",
          "[restart][cel]") {
  struct Case {
    std::string capture;
    std::string cel;
    std::uint64_t after_frame;
  };
  for (const Case& c : std::vector<Case>{
           {"p-burst-80.observer.jsonl", "p-burst-80.cel.jsonl", 3000},
           {"q-observer-gap.call-center.jsonl", "q-observer-gap.cel.jsonl", 124},
       }) {
    INFO(c.capture << " restarted after frame " << c.after_frame);
    const Capture capture = ReadCapture(c.capture);
    auto plan = RestartPlan::Make(Views(capture.frames), {{c.after_frame}});
    REQUIRE(plan.ok());
    const PlannedRestart& r = plan->restarts()[0];
    const std::vector<std::string> text = testing::ReadLines(testing::CelCapture(c.cel));
    const std::vector<bool> kept = KeptCelLines(*plan, Views(text));
    REQUIRE(kept.size() == text.size());

    // The old process's channels, as its log and ARI knew them.
    std::set<std::string> old = testing::IdsUpTo(capture, r.down_through);
    LiveState state;
    for (std::size_t i = 0; i < c.after_frame; ++i) state.Apply(capture.frames[i]);
    for (const auto& id : state.ChannelIds()) old.insert(id);
    for (const auto& t : text) {
      const Line line = Read(t);
      if (line.time_us <= r.started_us) old.insert({line.uniqueid, line.linkedid});
    }
    const auto later = testing::CallsBegunAfter(capture, r.started_us);
    const std::set<std::string> later_calls(later.begin(), later.end());

    std::size_t before = 0, after = 0, of_later_calls = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const Line line = Read(text[i]);
      INFO("CEL line " << i + 1 << ": " << text[i]);
      if (line.time_us <= r.died_us) {
        CHECK(kept[i]);  // written before the crash
        ++before;
      } else if (line.time_us <= r.started_us) {
        CHECK_FALSE(kept[i]);  // no Asterisk ran
      } else if (kept[i]) {
        ++after;
        CHECK(old.count(line.uniqueid) == 0);
        CHECK(old.count(line.linkedid) == 0);
      }
      if (later_calls.count(line.uniqueid) == 1) {
        CHECK(kept[i]);  // the new process logs its calls as usual
        ++of_later_calls;
      }
    }
    CHECK(before > 100);
    CHECK(after > 50);
    CHECK(of_later_calls >= 10 * later_calls.size());
  }
}

TEST_CASE("CEL lines of a restart: the down time, an old call's new leg, an old bridge",
          "[restart][cel]") {
  // Channel A in bridge BR1 until 11:48:00.010Z; the restart after frame 2
  // dies then and starts again at 11:48:01.010Z; B begins at 11:48:03.
  const std::vector<std::string> frames = {
      R"({"type":"ChannelCreated","timestamp":"2026-12-07T16:48:00.000+0500","channel":)"
      R"({"id":"A","name":"PJSIP/a-1","state":"Ring","caller":{}}})",
      R"({"type":"ChannelEnteredBridge","timestamp":"2026-12-07T16:48:00.010+0500","bridge":)"
      R"({"id":"BR1","technology":"simple_bridge","channels":["A"]},"channel":)"
      R"({"id":"A","name":"PJSIP/a-1","state":"Up","caller":{}}})",
      R"({"type":"ChannelCreated","timestamp":"2026-12-07T16:48:03.000+0500","channel":)"
      R"({"id":"B","name":"PJSIP/b-2","state":"Ring","caller":{}}})",
  };
  auto plan = RestartPlan::Make(Views(frames), {{2}});
  REQUIRE(plan.ok());
  const auto line = [](const std::string& time, const std::string& id, const std::string& linked,
                       const std::string& extra = "") {
    return R"({"eventtype":"X","eventtime":")" + time + R"(","uniqueid":")" + id +
           R"(","linkedid":")" + linked + R"(","eventextra":")" + extra + "\"}";
  };
  const std::vector<std::string> cel = {
      "not a CEL line",                     // before any time: kept
      line("1796644080.000000", "A", "A"),  // before the death
      line("1796644080.020000", "A", "A"),  // after it: the old process
      "garbage",                            // with the line before it
      line("1796644080.500000", "X", "X"),  // in the down time
      line("1796644083.000000", "B", "B"),  // the new process
      line("1796644083.100000", "C", "A"),  // a new leg of an old call
      line("1796644083.200000", "D", "D", R"({\"bridge_id\":\"BR1\"})"),  // an old bridge
      line("1796644083.300000", "X", "X"),                                // logged in the down time
      "garbage",                                                          // with B's call's time
      line("1796644083.400000", "E", "E", R"({\"bridge_id\":\"BR2\"})"),
  };
  const std::vector<bool> kept = KeptCelLines(*plan, Views(cel));
  CHECK(kept ==
        std::vector<bool>{true, true, false, false, false, true, false, false, false, true, true});
  // Without a restart every line is kept.
  CHECK(KeptCelLines(RestartPlan(), Views(cel)) == std::vector<bool>(cel.size(), true));
}

}  // namespace
}  // namespace callledger::ari
