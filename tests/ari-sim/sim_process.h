// ari-sim as operators and tests use it: a real process on 127.0.0.1 port
// 0, and a Beast WebSocket/HTTP client that talks to it over real sockets.
// For the process_*_test.cc files; Catch2 assertions: use them from a test.
//
// Every wait (a line on stdout, an exit, a socket read) gives up after
// kIoTimeout, so a hung ari-sim fails a test instead of stalling the suite.
// A SimProcess still running when destroyed is killed (SIGKILL).
#pragma once

#include <sys/types.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace callledger::arisim::process_test {

inline constexpr auto kIoTimeout = std::chrono::seconds(10);
// The lab's credentials (backend / CallCenter2025), as a Basic header.
extern const std::string kLabAuth;
// The captures the tests replay, as paths.
extern const std::string kObserverA;
extern const std::string kObserverK1;
// The events upgrade as call-ledger asks for it.
inline constexpr const char* kEvents = "/ari/events?app=call-ledger&subscribeAll=true";

// The non-empty lines of the capture at `path`: the frames ari-sim sends.
std::vector<std::string> Frames(const std::string& path);

// fixtures/asterisk-cel/`name`: the captures that come with Asterisk's own
// CEL lines.
std::string CelFixture(const std::string& name);

// What /ari/channels should hold after the first `count` frames, computed
// here, independently of ari-sim's state code: the last `channel`/`peer`/
// `caller` snapshot of every channel not destroyed, by id.
std::map<std::string, boost::json::value> ExpectedChannels(const std::vector<std::string>& frames,
                                                           std::size_t count);
// A JSON array of snapshots (an /ari/channels answer) by id.
std::map<std::string, boost::json::value> ById(const std::string& array_json);

// An ari-sim process with its stdout (and optionally stderr) on pipes.
class SimProcess {
 public:
  explicit SimProcess(const std::vector<std::string>& args, bool capture_stderr = false);
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  // One line of stdout without its line feed; nullopt at EOF or timeout.
  std::optional<std::string> ReadLine();

  // Everything left on a pipe, up to EOF (call after the process exited).
  static std::string Drain(int fd);
  std::string RestOfStdout() { return Drain(stdout_fd_); }
  std::string Stderr() { return Drain(stderr_fd_); }

  // The exit status, or 128 + signal; -1 if it did not exit within kIoTimeout.
  int WaitExit();

  int Signal(int signal_number);

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
};

// A running ari-sim on 127.0.0.1 and a free port.
struct Sim {
  explicit Sim(std::vector<std::string> args);
  SimProcess process;
  std::uint16_t port = 0;
};

// A WebSocket client of ari-sim's events endpoint.
class WsClient {
 public:
  // The HTTP status of the handshake: 101 when upgraded.
  int Connect(std::uint16_t port, const std::string& target,
              const std::string& authorization = kLabAuth);

  // The next message (checked to be text); nullopt once the connection ended.
  std::optional<std::string> Read();

  // Up to `n` messages; fewer if the connection ended first.
  std::vector<std::string> ReadN(std::size_t n);

  // Messages up to and including the first equal to `last`; fewer if the
  // connection ended first. For a stream that stays open after its end.
  std::vector<std::string> ReadThrough(const std::string& last);

  // After Read() returned nullopt: true for a normal close by the server.
  bool ClosedNormally() const;
  boost::beast::error_code error() const { return error_; }

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{io_};
  boost::beast::error_code error_;
};

// What a REST request got back.
struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string www_authenticate;
};

// One GET of `target`, with `authorization` unless it is empty.
HttpAnswer Get(std::uint16_t port, const std::string& target,
               const std::string& authorization = kLabAuth);

}  // namespace callledger::arisim::process_test
