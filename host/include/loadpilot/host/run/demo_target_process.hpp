// Starts the shipped demo target (samples/target) as a child process for a
// plan that asks for it, and stops it again. The child dies with the host
// (PR_SET_PDEATHSIG), so a killed host leaves no orphan behind.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "loadpilot/host/plan/test_plan.hpp"

namespace lp {

class DemoTargetProcess {
 public:
  // Starts it and waits for its readiness line; throws std::runtime_error with
  // the demo target's own message when it does not come up.
  DemoTargetProcess(const DemoTarget& spec, const std::filesystem::path& log_file,
                    std::chrono::seconds timeout = std::chrono::seconds(10));
  ~DemoTargetProcess();  // stop()
  DemoTargetProcess(const DemoTargetProcess&) = delete;
  DemoTargetProcess& operator=(const DemoTargetProcess&) = delete;

  const std::string& base_url() const { return base_url_; }
  const std::string& banner() const { return banner_; }
  // The exit status when it has exited, nothing while it runs.
  std::optional<int> exited();
  // SIGTERM, then SIGKILL after the grace; idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  // The binary: $LOADPILOT_DEMO_TARGET, else beside the loadpilot executable.
  static std::filesystem::path binary();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string base_url_;
  std::string banner_;
};

}  // namespace lp
