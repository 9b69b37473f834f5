// A restart planned over real captures (ari/restart_plan.h): after a
// restart at N no frame that is sent names a channel or bridge of the old
// process, every frame of a call begun after the new process started is
// sent, and the down time sends nothing. The ids, the clock and the calls
// are read here independently of the code under test (restart_captures.h).
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <vector>

#include "ari/live_state.h"
#include "ari/restart_plan.h"
#include "restart_captures.h"

namespace callledger::ari {
namespace {

namespace json = boost::json;
using testing::Capture;
using testing::ReadCapture;
using testing::Views;

struct Case {
  std::string capture;
  std::uint64_t after_frame;
  std::size_t min_live_calls;   // calls live at N: what the restart kills
  std::size_t min_later_calls;  // calls begun after the new start
};

// p-burst-80's observer stream in the middle of the burst, and
// q-observer-gap's app stream while its twelve calls overlap.
const std::vector<Case> kCases = {
    {"p-burst-80.observer.jsonl", 3000, 45, 10},
    {"q-observer-gap.call-center.jsonl", 124, 5, 2},
};

RestartPlan Plan(const Capture& capture, std::vector<Restart> restarts) {
  auto plan = RestartPlan::Make(Views(capture.frames), restarts);
  INFO(plan.status().ToString());
  REQUIRE(plan.ok());
  return std::move(*plan);
}

TEST_CASE("after a restart no sent frame names a channel or bridge of the old process",
          "[restart]") {
  for (const Case& c : kCases) {
    INFO(c.capture << " restarted after frame " << c.after_frame);
    const Capture capture = ReadCapture(c.capture);
    const RestartPlan plan = Plan(capture, {{c.after_frame}});
    REQUIRE(plan.restarts().size() == 1);
    const PlannedRestart& r = plan.restarts()[0];
    const std::int64_t died = capture.clock[c.after_frame - 1];
    CHECK(r.died_us == died);
    CHECK(r.started_us == died + 1'000'000);
    const std::size_t up = testing::FramesUpTo(capture, died + 1'000'000);
    CHECK(r.down_through == up);
    CHECK(testing::CallsLiveAfter(capture, c.after_frame).size() >= c.min_live_calls);

    // The old process: what frames up to its death and the down time
    // named, and what it held live (the state ari-sim answers with).
    std::set<std::string> old = testing::IdsUpTo(capture, up);
    LiveState state;
    for (std::size_t i = 0; i < c.after_frame; ++i) state.Apply(capture.frames[i]);
    for (const auto& id : state.ChannelIds()) CHECK(old.count(id) == 1);
    for (const auto& id : state.BridgeIds()) CHECK(old.count(id) == 1);

    std::size_t sent_after = 0;
    for (std::uint64_t n = 1; n <= capture.frames.size(); ++n) {
      INFO("frame " << n);
      if (n <= c.after_frame) {
        CHECK_FALSE(plan.Gone(n));  // the old process sent these
      } else if (n <= up) {
        CHECK(plan.Gone(n));  // nothing runs in the down time
      } else if (!plan.Gone(n)) {
        ++sent_after;
        for (const auto& id : capture.ids[n - 1]) CHECK(old.count(id) == 0);
      }
    }
    CHECK(sent_after > 50);
    CHECK(plan.gone_count() == capture.frames.size() - c.after_frame - sent_after);
  }
}

TEST_CASE("after a restart every frame of a call begun after the new start is sent", "[restart]") {
  for (const Case& c : kCases) {
    INFO(c.capture << " restarted after frame " << c.after_frame);
    const Capture capture = ReadCapture(c.capture);
    const RestartPlan plan = Plan(capture, {{c.after_frame}});
    const auto later = testing::CallsBegunAfter(capture, plan.restarts()[0].started_us);
    CHECK(later.size() >= c.min_later_calls);
    for (const std::string& call : later) {
      INFO("call " << call);
      std::size_t frames = 0;
      for (std::uint64_t n = 1; n <= capture.frames.size(); ++n) {
        if (capture.ids[n - 1].count(call) == 0) continue;
        ++frames;
        CHECK_FALSE(plan.Gone(n));
      }
      CHECK(frames >= 5);
    }
  }
}

TEST_CASE("an old call's agent leg is gone with it, though its first frames name only itself",
          "[restart]") {
  // q-observer-gap's app stream: the agent leg 1796644086.478 of the call
  // 1796644085.469 (which began before the restart) is dialled after the
  // new start, in frames that name only itself (its Dial, its state, its
  // StasisStart); then it joins the old call's bridge.
  const Capture capture = ReadCapture("q-observer-gap.call-center.jsonl");
  const RestartPlan plan = Plan(capture, {{124}});
  const std::set<std::string> old = testing::IdsUpTo(capture, plan.restarts()[0].down_through);
  REQUIRE(old.count("1796644085.469") == 1);
  REQUIRE(old.count("1796644086.478") == 0);
  bool alone = false;
  std::size_t frames = 0;
  for (std::uint64_t n = 1; n <= capture.frames.size(); ++n) {
    const auto& ids = capture.ids[n - 1];
    if (ids.count("1796644086.478") == 0) continue;
    ++frames;
    INFO("frame " << n);
    CHECK(plan.Gone(n));
    alone = alone || ids == std::set<std::string>{"1796644086.478"};
  }
  CHECK(alone);
  CHECK(frames >= 5);
  CHECK(plan.restarts()[0].old_names.count("1796644086.478") == 1);
}

TEST_CASE("the two halves of a Local channel are sent or gone together", "[restart]") {
  const Capture capture = ReadCapture("p-burst-80.observer.jsonl");
  const RestartPlan plan = Plan(capture, {{3000}});
  // Local/NAME;1 and ;2 by NAME: whether any frame of each half is sent,
  // or gone.
  std::map<std::string, std::set<std::pair<bool, bool>>> fates;  // NAME -> {(gone, half 2)}
  for (std::uint64_t n = 3001; n <= capture.frames.size(); ++n) {
    const json::value event = json::parse(capture.frames[n - 1]);
    const json::value* channel = event.as_object().if_contains("channel");
    if (channel == nullptr) continue;
    const std::string name(channel->at("name").as_string());
    if (!name.starts_with("Local/")) continue;
    fates[name.substr(0, name.size() - 2)].insert({plan.Gone(n), name.ends_with(";2")});
  }
  std::size_t pairs_sent = 0;
  std::size_t pairs_gone = 0;
  for (const auto& [name, seen] : fates) {
    INFO(name);
    const bool any_gone = seen.count({true, false}) + seen.count({true, true}) > 0;
    const bool any_sent = seen.count({false, false}) + seen.count({false, true}) > 0;
    CHECK_FALSE((any_gone && any_sent));
    (any_gone ? pairs_gone : pairs_sent) += 1;
  }
  CHECK(pairs_sent >= 10);
  CHECK(pairs_gone >= 10);
}

TEST_CASE("restarts repeat; each later one kills what the process before it started", "[restart]") {
  const Capture capture = ReadCapture("p-burst-80.observer.jsonl");
  const RestartPlan one = Plan(capture, {{3000}});
  // The first frame the new process sends, well after its start.
  std::uint64_t second = 0;
  for (std::uint64_t n = one.restarts()[0].down_through + 200; n <= capture.frames.size(); ++n) {
    if (!one.Gone(n)) {
      second = n;
      break;
    }
  }
  REQUIRE(second > 0);
  const RestartPlan two = Plan(capture, {{3000}, {second, std::chrono::milliseconds(0)}});
  REQUIRE(two.restarts().size() == 2);
  CHECK(two.restarts()[1].started_us == capture.clock[second - 1]);
  for (std::uint64_t n = 1; n <= capture.frames.size(); ++n) {
    INFO("frame " << n);
    if (one.Gone(n)) CHECK(two.Gone(n));  // the first restart's frames stay gone
  }
  CHECK(two.gone_count() > one.gone_count());
  // The second process's channels are old to the third.
  const std::set<std::string> second_lived = [&] {
    std::set<std::string> ids;
    for (std::uint64_t n = one.restarts()[0].down_through + 1; n <= second; ++n) {
      if (!one.Gone(n)) ids.insert(capture.ids[n - 1].begin(), capture.ids[n - 1].end());
    }
    return ids;
  }();
  REQUIRE_FALSE(second_lived.empty());
  for (std::uint64_t n = second + 1; n <= capture.frames.size(); ++n) {
    if (two.Gone(n)) continue;
    for (const auto& id : capture.ids[n - 1]) CHECK(second_lived.count(id) == 0);
  }
}

TEST_CASE("restarts the plan refuses, saying why", "[restart]") {
  const Capture capture = ReadCapture("q-observer-gap.call-center.jsonl");
  const auto refused = [&](std::vector<Restart> restarts) {
    auto plan = RestartPlan::Make(Views(capture.frames), restarts);
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.status().code() == Code::kInvalidInput);
    return plan.status().message();
  };
  CHECK(refused({{0}}) == "--restart-at 0: --restart-at counts frames from 1");
  CHECK(refused({{540}}) == "--restart-at 540: the capture has only 539 frames");
  CHECK(refused({{200}, {100}}) ==
        "--restart-at 100: must come after the previous restart (--restart-at 200)");
  CHECK(refused({{100, std::chrono::milliseconds(-1)}}) ==
        "--restart-at 100 --restart-down-ms -1: the down time cannot be negative");
  // Frame 130 falls in the first restart's down time.
  CHECK(refused({{124}, {130}}).starts_with("--restart-at 130: frame 130 is never sent"));
  const std::vector<std::string> untimed = {R"({"type":"DeviceStateChanged"})"};
  auto none = RestartPlan::Make(Views(untimed), {{1}});
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message().find("no frame of the capture has a readable ARI timestamp") !=
        std::string::npos);
  // No restart: nothing is gone, nothing is read.
  const auto empty = RestartPlan::Make({}, {});
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  CHECK_FALSE(empty->Gone(1));
}

}  // namespace
}  // namespace callledger::ari
