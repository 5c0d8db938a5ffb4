// Starts loadpilot-demo-target on a free port and reads its address from its first line.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace lp::test {

struct DemoTarget {
  std::unique_ptr<ChildProcess> process;
  std::string first_line;
  std::uint16_t port = 0;
};

// DEMO_TARGET_EXE, or $LOADPILOT_DEMO_TARGET when set.
std::string demo_target_exe();

// Adds --listen 127.0.0.1:0; throws std::runtime_error if no address is printed within 10 s.
DemoTarget start_demo_target(const std::vector<std::string>& args);

}  // namespace lp::test
