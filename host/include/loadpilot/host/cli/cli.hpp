// The `loadpilot` command line. Lives in the core library so tests can run
// commands in-process; main.cpp only calls run_cli().
#pragma once

namespace lp::cli {

// Documented exit codes (README "Exit codes"); CI scripts rely on them.
enum ExitCode : int {
  kSuccess = 0,
  kCriteriaFailed = 1,  // the run finished but a pass/fail criterion failed
  kUsageOrPlanError = 2,
  kRuntimeFailure = 3,
};

int run_cli(int argc, char** argv);

}  // namespace lp::cli
