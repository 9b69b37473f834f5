#include "support/tcp_to_unix_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace callledger::testing {

TcpToUnixProxy::TcpToUnixProxy(std::string unix_path) : unix_path_(std::move(unix_path)) {
  Listen();
}

TcpToUnixProxy::~TcpToUnixProxy() {
  Down();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void TcpToUnixProxy::Listen() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0) {
    close(fd);
    throw std::runtime_error(std::string("proxy: cannot listen: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  std::lock_guard lock(mu_);
  listener_ = fd;
  down_ = false;
  threads_.emplace_back([this, fd] { AcceptLoop(fd); });
}

void TcpToUnixProxy::AcceptLoop(int listener) {
  while (true) {
    const int client = accept(listener, nullptr, nullptr);
    if (client < 0) return;  // the listener was shut down
    const int server = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un ua{};
    ua.sun_family = AF_UNIX;
    std::strncpy(ua.sun_path, unix_path_.c_str(), sizeof ua.sun_path - 1);
    if (down_ || connect(server, reinterpret_cast<sockaddr*>(&ua), sizeof ua) != 0) {
      close(client);
      close(server);
      continue;
    }
    std::lock_guard lock(mu_);
    sockets_.push_back(client);
    sockets_.push_back(server);
    threads_.emplace_back([this, client, server] { Pump(client, server); });
    threads_.emplace_back([this, client, server] { Pump(server, client); });
  }
}

void TcpToUnixProxy::Pump(int from, int to) {
  char buf[16384];
  while (true) {
    const ssize_t n = read(from, buf, sizeof buf);
    if (n <= 0) break;
    ssize_t off = 0;
    while (off < n) {
      const ssize_t w = write(to, buf + off, static_cast<std::size_t>(n - off));
      if (w <= 0) return;
      off += w;
    }
  }
  shutdown(to, SHUT_RDWR);
}

void TcpToUnixProxy::Down() {
  std::lock_guard lock(mu_);
  down_ = true;
  if (listener_ >= 0) {
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    listener_ = -1;
  }
  for (int s : sockets_) shutdown(s, SHUT_RDWR);
  sockets_.clear();
}

void TcpToUnixProxy::Up() { Listen(); }

}  // namespace callledger::testing
