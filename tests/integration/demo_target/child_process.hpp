// A child process with its stdout on a pipe, for starting the real demo target in tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace lp::test {

class ChildProcess {
 public:
  // Throws std::runtime_error if the process cannot be started. stderr is inherited.
  ChildProcess(const std::string& exe, const std::vector<std::string>& args);
  ~ChildProcess();  // kills and reaps the child if it is still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Next stdout line without its '\n'; nullopt on end of file or after `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  void send_signal(int signo) const;
  // Exit code (128 + signal number if killed by a signal), or nullopt if still running
  // after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string pending_;
  std::optional<int> exit_code_;
};

}  // namespace lp::test
