// One Locust process (standalone, master or worker): started with its output
// in files, stopped with SIGTERM (Locust then shuts down cleanly and writes
// its CSV), killed after a grace period; it dies with the host (PDEATHSIG).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lp::locust {

class LocustProcess {
 public:
  struct Options {
    std::filesystem::path executable;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;  // added to the host's environment
    std::filesystem::path cwd;
    std::filesystem::path log_file;  // stdout and stderr, together
  };

  explicit LocustProcess(Options options);
  ~LocustProcess();
  LocustProcess(const LocustProcess&) = delete;
  LocustProcess& operator=(const LocustProcess&) = delete;

  int pid() const;
  // The exit status once it has ended (128 + signal for a signal death).
  std::optional<int> exited();
  // SIGTERM, then SIGKILL after `grace`; returns the exit status.
  int stop(std::chrono::milliseconds grace);
  const std::filesystem::path& log_file() const { return options_.log_file; }
  // Locust's own words on a failure: the traceback from its last frame in
  // `focus` (the user's locustfile) onwards, else the last lines of its log.
  std::string failure_text(const std::string& focus, std::size_t max_lines = 12) const;

 private:
  struct Impl;
  Options options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lp::locust
