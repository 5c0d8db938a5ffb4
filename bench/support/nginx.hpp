// A throwaway nginx on a free loopback port serving `return 200 "ok"`, with
// its config, pid and logs in a temp dir; stopped and removed with the object.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace lp::bench {

class Nginx {
 public:
  explicit Nginx(const std::string& binary);
  ~Nginx();
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// The first of `name` found in PATH, /usr/sbin or /usr/local/sbin; "" if none.
std::string find_program(const std::string& name);

// Runs a command line through /bin/sh and returns its standard output.
std::string run_capture(const std::string& command);

}  // namespace lp::bench
