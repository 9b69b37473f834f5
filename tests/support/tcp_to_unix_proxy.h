// A TCP listener on 127.0.0.1 that forwards every connection to a Unix
// socket (a PostgreSQL server's), and can be taken down and brought back on
// the same port: failure injection beside the real server, not instead of it.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace callledger::testing {

class TcpToUnixProxy {
 public:
  explicit TcpToUnixProxy(std::string unix_path);
  ~TcpToUnixProxy();

  std::uint16_t port() const { return port_; }
  // Refuses new connections and cuts the open ones.
  void Down();
  // Accepts again, on the same port.
  void Up();

 private:
  void Listen();
  void AcceptLoop(int listener);
  void Pump(int from, int to);

  const std::string unix_path_;
  std::uint16_t port_ = 0;
  std::mutex mu_;
  int listener_ = -1;
  std::vector<int> sockets_;
  std::vector<std::thread> threads_;
  std::atomic<bool> down_{false};
};

}  // namespace callledger::testing
