// A child process for a benchmark (the demo target, a reference tool): spawned
// without a shell, its stdout readable line by line, killed with the object.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace lp::bench {

class Child {
 public:
  // Spawns argv[0] (a path) with the arguments; stdout comes to a pipe.
  explicit Child(const std::vector<std::string>& argv);
  ~Child();  // SIGTERM, then SIGKILL after 2 s
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The next line of stdout; throws std::runtime_error on timeout or exit.
  std::string read_line(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffered_;
};

// User + system CPU seconds of this process (RUSAGE_SELF) or of its reaped
// children (RUSAGE_CHILDREN).
double cpu_seconds(int who);

}  // namespace lp::bench
