#include "sim_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <string_view>
#include <thread>
#include <utility>

#include "ari-sim/auth.h"
#include "support/fixtures.h"

extern char** environ;

namespace callledger::arisim::process_test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;
using callledger::testing::CaptureDir;
using callledger::testing::ReadLines;
using Clock = std::chrono::steady_clock;

const std::string kLabAuth = "Basic " + EncodeBase64("backend:CallCenter2025");
const std::string kObserverA = (CaptureDir() / "a-inbound-answered.observer.jsonl").string();
const std::string kObserverK1 = (CaptureDir() / "k1-transfer-hold-dtmf.observer.jsonl").string();

std::vector<std::string> Frames(const std::string& path) {
  std::vector<std::string> out;
  for (auto& line : ReadLines(path)) {
    if (!line.empty()) out.push_back(std::move(line));
  }
  return out;
}

std::string CelFixture(const std::string& name) {
  return (callledger::testing::SourceDir() / "fixtures" / "asterisk-cel" / name).string();
}

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

SimProcess::SimProcess(const std::vector<std::string>& args, bool capture_stderr) {
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

SimProcess::~SimProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

std::optional<std::string> SimProcess::ReadLine() {
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

std::string SimProcess::Drain(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while (fd >= 0 && (n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, n);
  return text;
}

int SimProcess::WaitExit() {
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

int SimProcess::Signal(int signal_number) {
  kill(pid_, signal_number);
  return WaitExit();
}

Sim::Sim(std::vector<std::string> args)
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

namespace {

void SetReceiveTimeout(tcp::socket& socket) {
  timeval tv{};
  tv.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kIoTimeout).count();
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

tcp::endpoint Loopback(std::uint16_t port) {
  return tcp::endpoint(net::ip::make_address("127.0.0.1"), port);
}

}  // namespace

int WsClient::Connect(std::uint16_t port, const std::string& target,
                      const std::string& authorization) {
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

std::optional<std::string> WsClient::Read() {
  beast::flat_buffer buffer;
  ws_.read(buffer, error_);
  if (error_) return std::nullopt;
  CHECK(ws_.got_text());
  return beast::buffers_to_string(buffer.data());
}

std::vector<std::string> WsClient::ReadN(std::size_t n) {
  std::vector<std::string> out;
  while (out.size() < n) {
    auto message = Read();
    if (!message) break;
    out.push_back(std::move(*message));
  }
  return out;
}

std::vector<std::string> WsClient::ReadThrough(const std::string& last) {
  std::vector<std::string> out;
  while (auto message = Read()) {
    out.push_back(std::move(*message));
    if (out.back() == last) break;
  }
  return out;
}

bool WsClient::ClosedNormally() const {
  return error_ == websocket::error::closed && ws_.reason().code == websocket::close_code::normal;
}

HttpAnswer Get(std::uint16_t port, const std::string& target, const std::string& authorization) {
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

}  // namespace callledger::arisim::process_test
