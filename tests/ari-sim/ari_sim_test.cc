// The ari-sim binary as operators and tests use it: a real process on
// 127.0.0.1 port 0, driven by a Beast WebSocket/HTTP client over real
// sockets. The expected answers are computed here from the capture files,
// independently of ari-sim's own state code.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ari-sim/auth.h"
#include "ari/timestamp.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

extern char** environ;

namespace callledger::arisim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;
using callledger::testing::CaptureDir;
using callledger::testing::ReadFile;
using callledger::testing::ReadLines;
using Clock = std::chrono::steady_clock;

constexpr auto kIoTimeout = std::chrono::seconds(10);
const std::string kLabAuth = "Basic " + EncodeBase64("backend:CallCenter2025");
const std::string kObserverA = (CaptureDir() / "a-inbound-answered.observer.jsonl").string();
const std::string kObserverK1 = (CaptureDir() / "k1-transfer-hold-dtmf.observer.jsonl").string();
constexpr const char* kEvents = "/ari/events?app=call-ledger&subscribeAll=true";

std::vector<std::string> Frames(const std::string& path) {
  std::vector<std::string> out;
  for (auto& line : ReadLines(path)) {
    if (!line.empty()) out.push_back(std::move(line));
  }
  return out;
}

// An ari-sim process with its stdout (and optionally stderr) on pipes.
class SimProcess {
 public:
  explicit SimProcess(const std::vector<std::string>& args, bool capture_stderr = false) {
    int out[2];
    int err[2] = {-1, -1};
    REQUIRE(pipe2(out, O_CLOEXEC) == 0);
    if (capture_stderr) REQUIRE(pipe2(err, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    if (capture_stderr) posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    std::vector<std::string> all = {ARI_SIM_PATH};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : all) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, ARI_SIM_PATH, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (capture_stderr) close(err[1]);
    stdout_fd_ = out[0];
    stderr_fd_ = err[0];
    REQUIRE(rc == 0);
  }

  ~SimProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
    if (stderr_fd_ >= 0) close(stderr_fd_);
  }

  // One line of stdout without its line feed; nullopt at EOF or timeout.
  std::optional<std::string> ReadLine() {
    std::string line;
    const auto deadline = Clock::now() + kIoTimeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{stdout_fd_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      char c;
      const ssize_t n = read(stdout_fd_, &c, 1);
      if (n <= 0) return std::nullopt;
      if (c == '\n') return line;
      line.push_back(c);
    }
  }

  // Everything left on a pipe, up to EOF (call after the process exited).
  static std::string Drain(int fd) {
    std::string text;
    char buffer[4096];
    ssize_t n;
    while (fd >= 0 && (n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, n);
    return text;
  }
  std::string RestOfStdout() { return Drain(stdout_fd_); }
  std::string Stderr() { return Drain(stderr_fd_); }

  // The exit status, or 128 + signal; -1 if it did not exit within kIoTimeout.
  int WaitExit() {
    const auto deadline = Clock::now() + kIoTimeout;
    while (Clock::now() < deadline) {
      int status = 0;
      const pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
  }

  int Signal(int signal_number) {
    kill(pid_, signal_number);
    return WaitExit();
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
};

// A running ari-sim on 127.0.0.1 and a free port.
struct Sim {
  explicit Sim(std::vector<std::string> args)
      : process([&] {
          args.insert(args.begin(), {"--listen", "127.0.0.1:0"});
          return args;
        }()) {
    const std::optional<std::string> first = process.ReadLine();
    REQUIRE(first.has_value());
    const std::string prefix = "listening on 127.0.0.1:";
    REQUIRE(first->rfind(prefix, 0) == 0);
    port = static_cast<std::uint16_t>(std::stoi(first->substr(prefix.size())));
    REQUIRE(port != 0);
  }
  SimProcess process;
  std::uint16_t port = 0;
};

void SetReceiveTimeout(tcp::socket& socket) {
  timeval tv{};
  tv.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kIoTimeout).count();
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

tcp::endpoint Loopback(std::uint16_t port) {
  return tcp::endpoint(net::ip::make_address("127.0.0.1"), port);
}

class WsClient {
 public:
  // The HTTP status of the handshake: 101 when upgraded.
  int Connect(std::uint16_t port, const std::string& target,
              const std::string& authorization = kLabAuth) {
    ws_.next_layer().connect(Loopback(port));
    SetReceiveTimeout(ws_.next_layer());
    ws_.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& r) {
      if (!authorization.empty()) r.set(http::field::authorization, authorization);
    }));
    websocket::response_type response;
    beast::error_code ec;
    ws_.handshake(response, "127.0.0.1:" + std::to_string(port), target, ec);
    return static_cast<int>(response.result_int());
  }

  // The next message (checked to be text); nullopt once the connection ended.
  std::optional<std::string> Read() {
    beast::flat_buffer buffer;
    ws_.read(buffer, error_);
    if (error_) return std::nullopt;
    CHECK(ws_.got_text());
    return beast::buffers_to_string(buffer.data());
  }

  std::vector<std::string> ReadN(std::size_t n) {
    std::vector<std::string> out;
    while (out.size() < n) {
      auto message = Read();
      if (!message) break;
      out.push_back(std::move(*message));
    }
    return out;
  }

  // After Read() returned nullopt: true for a normal close by the server.
  bool ClosedNormally() const {
    return error_ == websocket::error::closed && ws_.reason().code == websocket::close_code::normal;
  }
  beast::error_code error() const { return error_; }

 private:
  net::io_context io_;
  websocket::stream<tcp::socket> ws_{io_};
  beast::error_code error_;
};

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string www_authenticate;
};

HttpAnswer Get(std::uint16_t port, const std::string& target,
               const std::string& authorization = kLabAuth) {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(Loopback(port));
  SetReceiveTimeout(socket);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!authorization.empty()) request.set(http::field::authorization, authorization);
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  return {static_cast<int>(response.result_int()), response.body(),
          std::string(response[http::field::www_authenticate])};
}

// What /ari/channels should hold after the first `count` frames, computed
// here: the last `channel`/`peer`/`caller` snapshot of every channel not
// destroyed, by id.
std::map<std::string, json::value> ExpectedChannels(const std::vector<std::string>& frames,
                                                    std::size_t count) {
  std::map<std::string, json::value> live;
  for (std::size_t i = 0; i < count; ++i) {
    const json::object event = json::parse(frames[i]).as_object();
    for (const char* key : {"channel", "peer", "caller"}) {
      const json::value* snapshot = event.if_contains(key);
      if (snapshot == nullptr || !snapshot->is_object()) continue;
      const std::string id(snapshot->at("id").as_string());
      if (event.at("type").as_string() == "ChannelDestroyed" &&
          std::string_view(key) == "channel") {
        live.erase(id);
      } else {
        live[id] = *snapshot;
      }
    }
  }
  return live;
}

std::map<std::string, json::value> ById(const std::string& array_json) {
  std::map<std::string, json::value> out;
  const json::value parsed = json::parse(array_json);
  for (const auto& item : parsed.as_array()) {
    out[std::string(item.at("id").as_string())] = item;
  }
  return out;
}

TEST_CASE("ari-sim prints where it listens first and stops cleanly on SIGTERM and SIGINT",
          "[ari-sim][process]") {
  for (const int signal_number : {SIGTERM, SIGINT}) {
    Sim sim({"--fast", kObserverA});
    CHECK(Get(sim.port, "/ari/asterisk/info").status == 200);
    CHECK(sim.process.Signal(signal_number) == 0);
    CHECK(sim.process.RestOfStdout().empty());  // nothing else on stdout
  }
}

TEST_CASE("With --fast a client receives every frame byte for byte, files in order",
          "[ari-sim][process]") {
  Sim sim({"--fast", kObserverA, kObserverK1});
  auto expected = Frames(kObserverA);
  const auto k1 = Frames(kObserverK1);
  expected.insert(expected.end(), k1.begin(), k1.end());

  WsClient client;
  REQUIRE(client.Connect(sim.port, kEvents) == 101);
  const auto received = client.ReadN(expected.size());
  REQUIRE(received.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("frame " << i + 1);
    CHECK(received[i] == expected[i]);
  }
  // Both calls ended: nothing is live, and REST still answers after the end.
  CHECK(Get(sim.port, "/ari/channels").body == "[]");
  CHECK(Get(sim.port, "/ari/bridges").body == "[]");
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

TEST_CASE("Without the right credentials: 401 on the upgrade and on REST",
          "[ari-sim][process][auth]") {
  Sim sim({"--fast", kObserverA});
  const std::string wrong = "Basic " + EncodeBase64("backend:wrong");

  CHECK(WsClient().Connect(sim.port, kEvents, "") == 401);
  CHECK(WsClient().Connect(sim.port, kEvents, wrong) == 401);
  CHECK(WsClient().Connect(sim.port, std::string(kEvents) + "&api_key=backend:nope", "") == 401);

  for (const char* path : {"/ari/channels", "/ari/bridges", "/ari/asterisk/info"}) {
    HttpAnswer answer = Get(sim.port, path, "");
    CHECK(answer.status == 401);
    CHECK(answer.www_authenticate == R"(Basic realm="Asterisk REST Interface")");
    CHECK(Get(sim.port, path, wrong).status == 401);
    CHECK(Get(sim.port, std::string(path) + "?api_key=backend:nope", "").status == 401);
    CHECK(Get(sim.port, std::string(path) + "?api_key=backend:CallCenter2025", "").status == 200);
    CHECK(Get(sim.port, path).status == 200);
  }
  // api_key on the upgrade, as the lab's clients connected.
  WsClient by_key;
  REQUIRE(by_key.Connect(sim.port, std::string(kEvents) + "&api_key=backend:CallCenter2025", "") ==
          101);
  CHECK(by_key.Read() == Frames(kObserverA)[0]);
}

TEST_CASE("Options user and password replace the lab's credentials", "[ari-sim][process][auth]") {
  Sim sim({"--fast", "--user", "alice", "--password", "s3cret", kObserverA});
  CHECK(Get(sim.port, "/ari/channels").status == 401);  // the lab's pair no longer works
  CHECK(Get(sim.port, "/ari/channels", "Basic " + EncodeBase64("alice:s3cret")).status == 200);
  CHECK(WsClient().Connect(sim.port, kEvents) == 401);
  CHECK(WsClient().Connect(sim.port, std::string(kEvents) + "&api_key=alice:s3cret", "") == 101);
}

TEST_CASE("The info answer is the recorded one, and unknown paths are 404 JSON",
          "[ari-sim][process]") {
  const std::string recorded = ReadFile(CaptureDir() / "api" / "asterisk-info.json");
  {
    Sim sim({"--fast", kObserverA});
    const HttpAnswer info = Get(sim.port, "/ari/asterisk/info");
    CHECK(info.status == 200);
    CHECK(info.body == recorded);
    const HttpAnswer missing = Get(sim.port, "/no/such/path", "");
    CHECK(missing.status == 404);
    CHECK(missing.body == R"({"message":"Not found"})");
    CHECK(Get(sim.port, "/ari/no-such-resource").status == 404);
  }
  callledger::testing::TempDir dir("ari-sim-test");
  const std::string other = R"({"system":{"version":"99.0.0"}})";
  callledger::testing::WriteFile(dir / "info.json", other);
  Sim sim({"--fast", "--info", (dir / "info.json").string(), kObserverA});
  CHECK(Get(sim.port, "/ari/asterisk/info").body == other);
}

TEST_CASE("Drop at 10 with a gap of 5: frames 1..10, a close, then 16.. for the next client",
          "[ari-sim][process][drop]") {
  const auto frames = Frames(kObserverA);
  Sim sim({"--fast", "--drop-at", "10", "--gap", "5", kObserverA});

  // Before anyone subscribes the stream has not started.
  CHECK(Get(sim.port, "/ari/channels").body == "[]");

  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  const auto got = first.ReadN(11);
  REQUIRE(got.size() == 10);
  CHECK(first.ClosedNormally());
  for (std::size_t i = 0; i < 10; ++i) CHECK(got[i] == frames[i]);

  // During the gap REST tells the truth: frames 11..15 happened.
  const auto during = ById(Get(sim.port, "/ari/channels").body);
  CHECK(during == ExpectedChannels(frames, 15));
  CHECK(during != ExpectedChannels(frames, 10));
  // And it waits for the client: nothing moves without one, however long it
  // is watched. With --fast every frame is due at once, and ari-sim serves
  // REST on the one thread its replay runs on, so 50 ms of requests back to
  // back give the replay every chance to move.
  const auto at_15 = ExpectedChannels(frames, 15);
  const auto watched_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  bool still = true;
  do {
    still = still && ById(Get(sim.port, "/ari/channels").body) == at_15;
  } while (std::chrono::steady_clock::now() < watched_until);
  CHECK(still);

  WsClient second;
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  const auto rest = second.ReadN(frames.size() - 15);
  REQUIRE(rest.size() == frames.size() - 15);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    INFO("frame " << i + 16);
    CHECK(rest[i] == frames[i + 15]);
  }
  CHECK(ById(Get(sim.port, "/ari/channels").body) == ExpectedChannels(frames, frames.size()));
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

TEST_CASE("Drop points repeat", "[ari-sim][process][drop]") {
  const auto frames = Frames(kObserverA);
  Sim sim({"--fast", "--drop-at", "3", "--gap", "0", "--drop-at", "10", "--gap", "2", kObserverA});
  WsClient one;
  REQUIRE(one.Connect(sim.port, kEvents) == 101);
  const auto a = one.ReadN(frames.size());
  CHECK(one.ClosedNormally());
  WsClient two;
  REQUIRE(two.Connect(sim.port, kEvents) == 101);
  const auto b = two.ReadN(frames.size());
  CHECK(two.ClosedNormally());
  WsClient three;
  REQUIRE(three.Connect(sim.port, kEvents) == 101);
  const auto c = three.ReadN(frames.size() - 12);

  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 7);
  REQUIRE(c.size() == frames.size() - 12);
  CHECK(a == std::vector<std::string>(frames.begin(), frames.begin() + 3));
  CHECK(b == std::vector<std::string>(frames.begin() + 3, frames.begin() + 10));
  CHECK(c == std::vector<std::string>(frames.begin() + 12, frames.end()));
}

TEST_CASE("A second subscriber to the app replaces the first (ApplicationReplaced)",
          "[ari-sim][process][replace]") {
  const auto frames = Frames(kObserverA);
  // About one second of stream, so the second client arrives mid-stream.
  Sim sim({"--speed", "5", kObserverA});
  WsClient first;
  REQUIRE(first.Connect(sim.port, kEvents) == 101);
  auto got_first = first.ReadN(5);
  REQUIRE(got_first.size() == 5);

  WsClient second;
  REQUIRE(second.Connect(sim.port, kEvents) == 101);
  std::optional<json::value> replaced;
  while (auto message = first.Read()) {
    const json::value event = json::parse(*message);
    if (event.at("type").as_string() == "ApplicationReplaced") {
      replaced = event;
      CHECK_FALSE(first.Read().has_value());  // then the close
      break;
    }
    got_first.push_back(*message);
  }
  REQUIRE(replaced.has_value());
  CHECK(first.ClosedNormally());
  CHECK(replaced->at("application").as_string() == "call-ledger");
  CHECK(ari::ParseAriTimestamp(replaced->at("timestamp").as_string()).has_value());

  // The newer client goes on where the older one stopped: nothing lost.
  const auto got_second = second.ReadN(frames.size() - got_first.size());
  CHECK_FALSE(got_second.empty());
  std::vector<std::string> joined = got_first;
  joined.insert(joined.end(), got_second.begin(), got_second.end());
  CHECK(joined == frames);
}

TEST_CASE("A subscriber to another app neither replaces the stream's client nor gets events",
          "[ari-sim][process][replace]") {
  const auto frames = Frames(kObserverA);
  Sim sim({"--speed", "20", kObserverA});
  WsClient main_client;
  REQUIRE(main_client.Connect(sim.port, kEvents) == 101);
  REQUIRE(main_client.Read() == frames[0]);
  WsClient other;
  REQUIRE(other.Connect(sim.port, "/ari/events?app=wallboard") == 101);
  const auto rest = main_client.ReadN(frames.size() - 1);
  CHECK(rest == std::vector<std::string>(frames.begin() + 1, frames.end()));
}

TEST_CASE("Recorded pacing, scaled by --speed", "[ari-sim][process][pacing]") {
  const auto frames = Frames(kObserverA);
  constexpr double kSpeed = 10;
  // The recorded gaps, backward steps counting as 0.
  std::int64_t recorded_us = 0;
  for (std::size_t i = 1; i < frames.size(); ++i) {
    const auto stamp = [&](std::size_t k) {
      return *ari::ParseAriTimestamp(json::parse(frames[k]).at("timestamp").as_string());
    };
    recorded_us += std::max<std::int64_t>(0, stamp(i) - stamp(i - 1));
  }
  const double expected_s = static_cast<double>(recorded_us) / 1e6 / kSpeed;
  REQUIRE(expected_s > 0.3);

  Sim sim({"--speed", "10", kObserverA});
  WsClient client;
  REQUIRE(client.Connect(sim.port, kEvents) == 101);
  REQUIRE(client.Read() == frames[0]);
  const auto start = Clock::now();
  const auto rest = client.ReadN(frames.size() - 1);
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  REQUIRE(rest.size() == frames.size() - 1);
  CHECK(elapsed_s >= expected_s * 0.95);
  CHECK(elapsed_s <= expected_s + 1.0);
}

TEST_CASE("A constant --rate: 100 frames at 200 per second span 0.495 s",
          "[ari-sim][process][pacing][rate]") {
  // The first 100 frames of k1, whose recorded gaps are nothing like 5 ms.
  auto frames = Frames(kObserverK1);
  REQUIRE(frames.size() >= 100);
  frames.resize(100);
  callledger::testing::TempDir dir("ari-sim-rate-test");
  std::string text;
  for (const auto& frame : frames) text += frame + "\n";
  callledger::testing::WriteFile(dir / "hundred.jsonl", text);

  Sim sim({"--rate", "200", (dir / "hundred.jsonl").string()});
  WsClient client;
  REQUIRE(client.Connect(sim.port, kEvents) == 101);
  REQUIRE(client.Read() == frames[0]);
  const auto start = Clock::now();
  const auto rest = client.ReadN(frames.size() - 1);
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  REQUIRE(rest.size() == frames.size() - 1);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    INFO("frame " << i + 2);
    CHECK(rest[i] == frames[i + 1]);
  }
  constexpr double kExpectedS = 99.0 / 200;  // frame 100 is due 0.495 s after frame 1
  CHECK(elapsed_s >= kExpectedS * 0.95);
  CHECK(elapsed_s <= kExpectedS + 0.5);
  CHECK(sim.process.Signal(SIGTERM) == 0);
}

TEST_CASE("The rate option excludes --speed and --fast and must be positive",
          "[ari-sim][process][rate]") {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--rate", "10", "--fast", kObserverA},
           {"--fast", "--rate", "10", kObserverA},
           {"--rate", "10", "--speed", "2", kObserverA},
           {"--rate", "0", kObserverA},
           {"--rate", "-3", kObserverA},
       }) {
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    INFO(joined);
    SimProcess process(args, true);
    CHECK(process.WaitExit() == 2);
    CHECK(process.RestOfStdout().empty());  // it never listened
  }
  SimProcess zero({"--rate", "0", kObserverA}, true);
  CHECK(zero.WaitExit() == 2);
  CHECK(zero.Stderr().find("--rate must be a positive number") != std::string::npos);
}

TEST_CASE("A --listen address that is not loopback is refused", "[ari-sim][process]") {
  for (const char* address : {"0.0.0.0:0", "192.168.1.10:8088"}) {
    SimProcess process({"--listen", address, "--fast", kObserverA}, true);
    CHECK(process.WaitExit() == 2);
    CHECK(process.RestOfStdout().empty());
    CHECK(process.Stderr().find("loopback only") != std::string::npos);
  }
}

TEST_CASE("TLS options: both or neither, and files that load", "[ari-sim][process][tls]") {
  {
    SimProcess process({"--listen", "127.0.0.1:0", "--tls-cert", kObserverA, kObserverA}, true);
    CHECK(process.WaitExit() == 2);
    CHECK(process.RestOfStdout().empty());
  }
  // A capture is not a PEM certificate.
  SimProcess process(
      {"--listen", "127.0.0.1:0", "--tls-cert", kObserverA, "--tls-key", kObserverA, kObserverA},
      true);
  CHECK(process.WaitExit() == 2);
  CHECK(process.RestOfStdout().empty());
  CHECK(process.Stderr().find("cannot load certificate") != std::string::npos);
}

TEST_CASE("Bad arguments exit with 2, and help explains and exits with 0", "[ari-sim][process]") {
  {
    SimProcess process({"--drop-at", "10", "--gap", "5", "--drop-at", "12", kObserverA}, true);
    CHECK(process.WaitExit() == 2);
  }
  {
    SimProcess process({"--fast", "--speed", "2", kObserverA}, true);
    CHECK(process.WaitExit() == 2);
  }
  {
    SimProcess process({"--fast", "/nonexistent/capture.jsonl"}, true);
    CHECK(process.WaitExit() == 2);
  }
  SimProcess help({"--help"});
  CHECK(help.WaitExit() == 0);
  const std::string text = help.RestOfStdout();
  for (const char* word :
       {"--drop-at", "--gap", "--speed", "--fast", "--rate", "--listen", "api_key", "listening on",
        "/ari/channels", "--tls-cert", "--tls-key", "wss://"}) {
    CHECK(text.find(word) != std::string::npos);
  }
}

}  // namespace
}  // namespace callledger::arisim
