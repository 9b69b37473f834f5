// The ari-sim binary with --restart-at: after the restart the next client
// meets a new Asterisk (its /ari/asterisk/info with the new startup time,
// none of the old channels on /ari/channels, the first frame the new
// process sends), with and without --realtime; and with --cel-out the log
// holds no line of the old process after its death. The frames the plan
// takes away come from ari/restart_plan.h (tested on its own); what is
// checked of them here is read from the captures independently.
#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "ari/live_state.h"
#include "ari/restart_cel.h"
#include "ari/restart_plan.h"
#include "ari/timestamp.h"
#include "sim_process.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace callledger::arisim {
namespace {

namespace json = boost::json;
using callledger::testing::ReadFile;
using callledger::testing::ReadLines;
using callledger::testing::TempDir;
using callledger::testing::WaitUntil;
using process_test::ById;
using process_test::CelFixture;
using process_test::ExpectedChannels;
using process_test::Frames;
using process_test::Get;
using process_test::kEvents;
using process_test::Sim;
using process_test::WsClient;

const std::string kInfo = CelFixture("a-inbound-answered.api-asterisk-info.json");

// T(n): the latest timestamp of frames 1..n, read here.
std::int64_t TimeOf(const std::vector<std::string>& frames, std::size_t n) {
  std::int64_t latest = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto t = ari::ParseAriTimestamp(json::parse(frames[i]).at("timestamp").as_string());
    REQUIRE(t.has_value());
    latest = std::max(latest, *t);
  }
  return latest;
}

// The frames after `n` that the restart plan leaves.
std::vector<std::string> SentAfter(const std::vector<std::string>& frames, std::uint64_t n) {
  const std::vector<std::string_view> views(frames.begin(), frames.end());
  auto plan = ari::RestartPlan::Make(views, {{n}});
  REQUIRE(plan.ok());
  std::vector<std::string> out;
  for (std::uint64_t i = n + 1; i <= frames.size(); ++i) {
    if (!plan->Gone(i)) out.push_back(frames[i - 1]);
  }
  return out;
}

// The ids a frame's top-level objects carry.
std::set<std::string> IdsOf(const std::string& frame) {
  std::set<std::string> ids;
  const json::value event = json::parse(frame);
  for (const auto& [key, value] : event.as_object()) {
    if (!value.is_object()) continue;
    if (const json::value* id = value.as_object().if_contains("id"); id && id->is_string()) {
      ids.emplace(id->as_string());
    }
  }
  return ids;
}

// The info says a new process started at `started_us`; the rest of it is
// the recorded body, byte for byte.
void CheckRestartedInfo(const std::string& body, std::int64_t started_us) {
  const std::string recorded = ReadFile(kInfo);
  const json::value info = json::parse(body);
  const json::value before = json::parse(recorded);
  const std::string startup(info.at("status").at("startup_time").as_string());
  CHECK(ari::ParseAriTimestamp(startup) == started_us);
  CHECK(startup.ends_with("+0500"));
  CHECK(info.at("status").at("last_reload_time").as_string() == startup);
  CHECK(info.at("system").at("entity_id") == before.at("system").at("entity_id"));
  std::string back = body;
  const std::string old_time(before.at("status").at("startup_time").as_string());
  for (std::size_t at = 0; (at = back.find(startup, at)) != std::string::npos;
       at += old_time.size()) {
    back.replace(at, startup.size(), old_time);
  }
  CHECK(back == recorded);
}

TEST_CASE("Bad restarts exit with 2, saying why, and never listen", "[ari-sim][process][restart]") {
  const std::string capture = CelFixture("q-observer-gap.call-center.jsonl");
  TempDir dir("ari-sim-restart-args");
  callledger::testing::WriteFile(dir / "info.json", R"({"system":{"entity_id":"x"}})");
  const std::string no_startup = (dir / "info.json").string();
  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Bad& bad : std::vector<Bad>{
           {{"--restart-at", "600", capture}, "the capture has only 539 frames"},
           {{"--restart-at", "0", capture}, "--restart-at counts frames from 1"},
           {{"--restart-at", "124", "--drop-at", "124", capture}, "are on the same frame"},
           {{"--restart-at", "124", "--drop-at", "130", capture}, "frame 130 is never sent"},
           {{"--restart-at", "124", "--restart-at", "100", capture}, "must come after"},
           {{"--restart-down-ms", "10", capture}, "--restart-down-ms needs --restart-at"},
           {{"--restart-at", "124", "--restart-down-ms", "-5", capture}, "cannot be negative"},
           {{"--restart-at", "124", "--info", no_startup, capture}, "no status.startup_time"},
       }) {
    INFO(bad.says);
    process_test::SimProcess process(bad.args, true);
    REQUIRE(process.WaitExit() == 2);
    CHECK(process.RestOfStdout().empty());
    CHECK(process.Stderr().find(bad.says) != std::string::npos);
  }
}

TEST_CASE("After a restart the next client meets a new Asterisk", "[ari-sim][process][restart]") {
  const std::string capture = CelFixture("p-burst-80.observer.jsonl");
  const auto frames = Frames(capture);
  constexpr std::size_t kN = 3000;
  const std::vector<std::string_view> views(frames.begin(), frames.end());
  auto plan = ari::RestartPlan::Make(views, {{kN}});
  REQUIRE(plan.ok());
  // A drop after the restart, 600 frames of the new process later, with a
  // gap of 100, to see the new process's state in the middle of its calls.
  std::vector<std::uint64_t> sent_numbers;
  for (std::uint64_t n = kN + 1; n <= frames.size(); ++n) {
    if (!plan->Gone(n)) sent_numbers.push_back(n);
  }
  REQUIRE(sent_numbers.size() > 1000);
  const std::uint64_t drop = sent_numbers[599];
  Sim sim({"--fast", "--restart-at", "3000", "--drop-at", std::to_string(drop), "--gap", "100",
           "--info", kInfo, capture});
  CHECK(Get(sim.port, "/ari/asterisk/info").body == ReadFile(kInfo));

  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  const auto got = first.ReadN(kN + 1);
  REQUIRE(got.size() == kN);
  CHECK(first.ClosedNormally());
  CHECK(got == std::vector<std::string>(frames.begin(), frames.begin() + kN));

  // The new process: started 1 s (the default) after frame N, with none
  // of the many channels the old one held.
  const std::int64_t died = TimeOf(frames, kN);
  CheckRestartedInfo(Get(sim.port, "/ari/asterisk/info").body, died + 1'000'000);
  CHECK(ExpectedChannels(frames, kN).size() >= 100);
  CHECK(Get(sim.port, "/ari/channels").body == "[]");
  CHECK(Get(sim.port, "/ari/bridges").body == "[]");

  // The next client gets the frames the new process sends, from the first:
  // later than its start, naming nothing the old process named.
  std::set<std::string> old;
  for (std::size_t i = 0; i < kN; ++i) {
    for (const auto& id : IdsOf(frames[i])) old.insert(id);
  }
  std::vector<std::string> second_expected;
  for (std::size_t i = 0; i < 600; ++i) second_expected.push_back(frames[sent_numbers[i] - 1]);
  CHECK(TimeOf(second_expected, 1) > died + 1'000'000);
  WsClient second;
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  const auto rest = second.ReadN(601);
  CHECK(second.ClosedNormally());
  CHECK(rest == second_expected);
  for (const auto& frame : rest) {
    for (const auto& id : IdsOf(frame)) CHECK(old.count(id) == 0);
  }
  // In the drop's gap, the state is what the new process's frames made of
  // nothing, up to the gap's end.
  ari::LiveState fresh;
  for (const std::uint64_t n : sent_numbers) {
    if (n <= drop + 100) fresh.Apply(frames[n - 1]);
  }
  CHECK(fresh.ChannelIds().size() >= 10);
  CHECK(Get(sim.port, "/ari/channels").body == fresh.ChannelsJson());
  for (const auto& [id, snapshot] : ById(Get(sim.port, "/ari/channels").body)) {
    CHECK(old.count(id) == 0);
  }
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

TEST_CASE("With --realtime the stream runs on through a restart's down time",
          "[ari-sim][process][restart][realtime]") {
  const std::string capture = CelFixture("q-observer-gap.call-center.jsonl");
  const auto frames = Frames(capture);
  constexpr std::size_t kN = 124;
  const auto sent_after = SentAfter(frames, kN);
  // At twice the recorded speed: frame 124 comes 1.5 s in, the first frame
  // of the new process at least 0.5 s after it.
  Sim sim({"--realtime", "--speed", "2", "--restart-at", "124", "--info", kInfo, capture});
  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  REQUIRE(first.ReadN(kN + 1).size() == kN);
  CHECK(first.ClosedNormally());
  CheckRestartedInfo(Get(sim.port, "/ari/asterisk/info").body, TimeOf(frames, kN) + 1'000'000);
  WsClient second;
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  CHECK(second.ReadN(3) == std::vector<std::string>(sent_after.begin(), sent_after.begin() + 3));
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

// The complete lines in the file at `path` (none if it is absent).
std::vector<std::string> CompleteLines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  if (!std::filesystem::exists(path)) return lines;
  std::string text = ReadFile(path);
  for (std::size_t end; (end = text.find('\n')) != std::string::npos; text.erase(0, end + 1)) {
    lines.push_back(text.substr(0, end));
  }
  return lines;
}

std::int64_t EventTimeUs(const json::value& line) {
  const std::string text(line.at("eventtime").as_string());
  const std::size_t dot = text.find('.');
  return std::stoll(text.substr(0, dot)) * 1'000'000 + std::stoll(text.substr(dot + 1));
}

TEST_CASE("With --cel-out a restarted Asterisk writes no line of the old process after its death",
          "[ari-sim][process][restart][cel]") {
  const std::string capture = CelFixture("q-observer-gap.call-center.jsonl");
  const std::string cel = CelFixture("q-observer-gap.cel.jsonl");
  const auto frames = Frames(capture);
  constexpr std::size_t kN = 124;
  const auto sent_after = SentAfter(frames, kN);
  const std::vector<std::string> input = ReadLines(cel);
  std::size_t expected = 0;
  {
    const std::vector<std::string_view> views(frames.begin(), frames.end());
    auto plan = ari::RestartPlan::Make(views, {{kN}});
    REQUIRE(plan.ok());
    for (const bool kept : ari::KeptCelLines(*plan, {input.begin(), input.end()})) {
      expected += kept ? 1 : 0;
    }
  }
  TempDir dir("ari-sim-restart-cel");
  const auto out = dir / "cel.jsonl";
  Sim sim({"--fast", "--restart-at", "124", "--info", kInfo, "--cel", cel, "--cel-out",
           out.string(), capture});
  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  REQUIRE(first.ReadN(kN + 1).size() == kN);
  WsClient second;
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  REQUIRE(second.ReadThrough(sent_after.back()).size() == sent_after.size());
  REQUIRE(WaitUntil([&] { return CompleteLines(out).size() == expected; }, std::chrono::seconds(10),
                    "the restarted log's lines in " + out.string()));
  const auto written = CompleteLines(out);

  // The old process: the channels its log named by its death, and those
  // it held live.
  const std::int64_t died = TimeOf(frames, kN);
  std::set<std::string> old;
  std::size_t before = 0;
  for (const auto& line : input) {
    const json::value l = json::parse(line);
    if (EventTimeUs(l) > died) continue;
    ++before;
    old.emplace(l.at("uniqueid").as_string());
  }
  ari::LiveState state;
  for (std::size_t i = 0; i < kN; ++i) state.Apply(frames[i]);
  for (const auto& id : state.ChannelIds()) old.insert(id);
  REQUIRE(state.ChannelIds().size() >= 5);

  // Its lines up to its death, byte for byte; nothing of it after.
  REQUIRE(written.size() > before);
  CHECK(std::vector<std::string>(written.begin(), written.begin() + before) ==
        std::vector<std::string>(input.begin(), input.begin() + before));
  for (std::size_t i = before; i < written.size(); ++i) {
    INFO(written[i]);
    const json::value l = json::parse(written[i]);
    CHECK(EventTimeUs(l) > died + 1'000'000);  // nothing in the down time
    CHECK(old.count(std::string(l.at("uniqueid").as_string())) == 0);
    CHECK(old.count(std::string(l.at("linkedid").as_string())) == 0);
  }
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

}  // namespace
}  // namespace callledger::arisim
