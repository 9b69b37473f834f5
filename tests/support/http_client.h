// A small blocking HTTP/1.1 and WebSocket client for tests of the daemon's
// server over real loopback sockets. Every call has a timeout; failures
// come back as values, never hang the test.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace callledger::testing {

struct HttpReply {
  int status = 0;  // 0: no response (connection failed, closed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // chunked bodies reassembled
  bool complete = false;                       // the body ended properly
  std::string error;
};

// GET `target` from "127.0.0.1:PORT" with optional extra headers.
HttpReply HttpGet(const std::string& address, const std::string& target,
                  const std::map<std::string, std::string>& headers = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(20));

// Sends `raw` bytes as they are and returns what the server answered.
HttpReply HttpRaw(const std::string& address, const std::string& raw,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

class WsClient {
 public:
  // Connects and upgrades; nullptr (and `error`) if that fails.
  static std::unique_ptr<WsClient> Connect(const std::string& address, const std::string& target,
                                           std::string* error = nullptr);
  ~WsClient();

  // The next text message; nullopt on close, error or timeout.
  std::optional<std::string> Read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Whether the server has closed the connection (reads until it does or
  // `timeout` passes, discarding messages).
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit WsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace callledger::testing
