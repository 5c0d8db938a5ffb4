#include "nginx.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace lp::bench {
namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Binds port 0 and reads what the kernel picked. There is a small window
// before nginx binds it; on a loopback bench that is acceptable.
uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("no free loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback(port);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

std::string find_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/local/sbin";
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string run_capture(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::string out;
  std::array<char, 4096> chunk;
  while (const std::size_t n = fread(chunk.data(), 1, chunk.size(), pipe))
    out.append(chunk.data(), n);
  pclose(pipe);
  return out;
}

Nginx::Nginx(const std::string& binary) {
  std::string pattern = (std::filesystem::temp_directory_path() / "lp-bench-nginx-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  port_ = free_port();
  // One worker, no access log, keep-alive without a request cap: the server
  // is a fixed, cheap counterpart and both clients see the same one.
  std::ofstream(dir_ + "/nginx.conf") << "worker_processes 1;\n"
                                      << "daemon off;\n"
                                      << "pid " << dir_ << "/nginx.pid;\n"
                                      << "error_log " << dir_ << "/error.log warn;\n"
                                      << "events { worker_connections 4096; }\n"
                                      << "http {\n"
                                      << "  access_log off;\n"
                                      << "  keepalive_requests 1000000;\n"
                                      << "  client_body_temp_path " << dir_ << "/body;\n"
                                      << "  proxy_temp_path " << dir_ << "/proxy;\n"
                                      << "  fastcgi_temp_path " << dir_ << "/fastcgi;\n"
                                      << "  uwsgi_temp_path " << dir_ << "/uwsgi;\n"
                                      << "  scgi_temp_path " << dir_ << "/scgi;\n"
                                      << "  server {\n"
                                      << "    listen 127.0.0.1:" << port_ << ";\n"
                                      << "    location / { return 200 \"ok\"; }\n"
                                      << "  }\n"
                                      << "}\n";
  const std::string conf = dir_ + "/nginx.conf";
  const std::string log = dir_ + "/error.log";
  const char* argv[] = {binary.c_str(), "-p", dir_.c_str(), "-c",
                        conf.c_str(),   "-e", log.c_str(),  nullptr};
  if (posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, const_cast<char**>(argv), environ) !=
      0) {
    throw std::runtime_error("cannot start " + binary);
  }
  for (int i = 0; i < 500 && !accepts(port_); ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("nginx exited at start; see " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!accepts(port_)) throw std::runtime_error("nginx did not listen within 5 s");
}

Nginx::~Nginx() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);  // the master takes its worker with it
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace lp::bench
