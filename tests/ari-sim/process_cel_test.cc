// The ari-sim binary with --cel FILE --cel-out PATH: it appends a capture's
// CEL lines to PATH, byte for byte, as the replay clock reaches their
// eventtimes, whether or not a client is connected, and --cel-rotate-at
// renames the log as a log rotation would. The file is watched from here:
// each line's first sighting is compared with its time on the replay clock,
// computed here from its eventtime.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

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
using process_test::CelFixture;
using process_test::Frames;
using process_test::kEvents;
using process_test::Sim;
using process_test::WsClient;
using Clock = std::chrono::steady_clock;

const std::string kCapture = CelFixture("a-inbound-answered.observer.jsonl");
const std::string kCel = CelFixture("a-inbound-answered.cel.jsonl");

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

std::int64_t EventTimeUs(const std::string& line) {
  const std::string text(json::parse(line).at("eventtime").as_string());
  const std::size_t dot = text.find('.');
  return std::stoll(text.substr(0, dot)) * 1'000'000 + std::stoll(text.substr(dot + 1));
}

std::int64_t FrameTimeUs(const std::string& frame) {
  return *ari::ParseAriTimestamp(json::parse(frame).at("timestamp").as_string());
}

// A CEL line of a user event at `time_us`, as cel_custom would write it.
std::string MarkerLine(std::int64_t time_us) {
  const std::string us = std::to_string(time_us % 1'000'000);
  return R"({"eventtype":"USER_DEFINED","eventtime":")" + std::to_string(time_us / 1'000'000) +
         "." + std::string(6 - us.size(), '0') + us +
         R"(","uniqueid":"marker","linkedid":"marker","userdeftype":"TEST"})";
}

TEST_CASE("CEL lines are appended byte for byte in their time, with or without a client",
          "[ari-sim][process][cel]") {
  const auto frames = Frames(kCapture);
  // The capture's CEL lines lie within 1 ms of a frame, so the frames alone
  // would pace them; two more lines, in the capture's silences (frames at
  // 0.029 s and 2.031 s, then 5.036 s), show that each line keeps its own
  // time.
  const std::int64_t first_us = FrameTimeUs(frames.front());
  std::vector<std::string> cel = ReadLines(kCel);
  REQUIRE(cel.size() == 65);
  for (const std::int64_t at_us : {1'000'000, 3'500'000}) {
    const std::string marker = MarkerLine(first_us + at_us);
    const auto later = std::find_if(cel.begin(), cel.end(), [&](const std::string& line) {
      return EventTimeUs(line) > first_us + at_us;
    });
    cel.insert(later, marker);
  }
  constexpr double kSpeed = 2;
  // Each line's time on the replay clock: (eventtime - the first frame's
  // stamp) / speed, in file order (never before the line ahead of it).
  std::vector<double> due_s;
  for (const auto& line : cel) {
    const double own = static_cast<double>(EventTimeUs(line) - first_us) / 1e6 / kSpeed;
    due_s.push_back(std::max({0.0, own, due_s.empty() ? 0.0 : due_s.back()}));
  }
  REQUIRE(due_s.back() > 2.0);

  TempDir dir("ari-sim-cel");
  const auto in = dir / "in.cel.jsonl";
  std::string cel_text;
  for (const auto& line : cel) cel_text += line + "\n";
  callledger::testing::WriteFile(in, cel_text);
  const auto out = dir / "cel.jsonl";
  // The client is cut off after frame 20, 12 ms into the stream: nearly
  // every line comes while nobody is connected.
  Sim sim({"--realtime", "--speed", "2", "--drop-at", "20", "--cel", in.string(), "--cel-out",
           out.string(), kCapture});
  // Created at start, and empty until the clock starts.
  CHECK(std::filesystem::exists(out));
  CHECK(ReadFile(out).empty());

  const auto before = Clock::now();  // the clock starts after this
  WsClient client;
  REQUIRE(client.Connect(sim.port, kEvents) == 101);
  const auto after = Clock::now();  // and before this
  std::vector<std::string> received;
  std::atomic<bool> closed{false};
  std::thread reader([&] {
    received = client.ReadN(21);
    closed = true;
  });

  std::vector<Clock::time_point> seen;  // when each line was first seen
  std::size_t seen_without_client = 0;
  const bool all = WaitUntil(
      [&] {
        const std::size_t count = CompleteLines(out).size();
        const auto now = Clock::now();
        while (seen.size() < count) {
          seen.push_back(now);
          if (closed) ++seen_without_client;
        }
        return count >= cel.size();
      },
      std::chrono::seconds(15), "every CEL line in " + out.string());
  reader.join();
  REQUIRE(all);
  CHECK(received.size() == 20);
  CHECK(client.ClosedNormally());
  CHECK(seen_without_client >= 40);

  // Exactly the input's lines, in order, byte for byte.
  CHECK(ReadFile(out) == cel_text);
  for (std::size_t i = 0; i < cel.size(); ++i) {
    INFO("CEL line " << i + 1 << ", due " << due_s[i] << " s");
    const double seen_after_before = std::chrono::duration<double>(seen[i] - before).count();
    const double seen_after_after = std::chrono::duration<double>(seen[i] - after).count();
    CHECK(seen_after_before >= due_s[i]);       // never early
    CHECK(seen_after_after <= due_s[i] + 1.0);  // not held back to the end
  }
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

TEST_CASE("The --cel-rotate-at option moves the log to PATH.1 after N lines and starts a new one",
          "[ari-sim][process][cel]") {
  const auto frames = Frames(kCapture);
  const auto cel = ReadLines(kCel);
  TempDir dir("ari-sim-cel-rotate");
  const auto out = dir / "cel.jsonl";
  const auto rotated = dir / "cel.jsonl.1";
  Sim sim({"--realtime", "--rate", "400", "--cel", kCel, "--cel-out", out.string(),
           "--cel-rotate-at", "20", "--cel-rotate-at", "50", kCapture});
  WsClient client;
  REQUIRE(client.Connect(sim.port, kEvents) == 101);
  CHECK(client.ReadThrough(frames.back()).size() == frames.size());
  REQUIRE(WaitUntil([&] { return CompleteLines(out).size() == cel.size() - 50; },
                    std::chrono::seconds(10), "the last 15 lines in " + out.string()));
  CHECK(CompleteLines(out) == std::vector<std::string>(cel.begin() + 50, cel.end()));
  CHECK(CompleteLines(rotated) == std::vector<std::string>(cel.begin() + 20, cel.begin() + 50));
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

}  // namespace
}  // namespace callledger::arisim
