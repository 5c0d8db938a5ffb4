// Runs a test plan: starts the demo target if asked, creates the tools,
// sequences the Load Vectors, and every tick polls samples into the run store
// and onto the terminal. Ends with summary.json and an exit code.
#pragma once

#include <atomic>
#include <filesystem>
#include <iosfwd>
#include <string>

#include "loadpilot/host/plan/test_plan.hpp"
#include "loadpilot/host/plugin/plugin_registry.hpp"

namespace lp {

struct RunSettings {
  std::filesystem::path runs_dir;  // empty: the plan's store.dir, else ./runs
  std::ostream* progress = nullptr;  // live progress; nullptr: quiet
  bool progress_is_tty = false;      // redraw one line instead of printing lines
  // Set by a signal handler (Ctrl-C): the run stops at the next tick, keeping its data.
  const std::atomic<bool>* interrupt = nullptr;
};

struct RunOutcome {
  int exit_code = 0;  // lp::cli::ExitCode values, or 130 when interrupted
  std::string run_id;
  std::filesystem::path run_dir;
  std::string message;  // why it failed, when it did
};

RunOutcome run_plan(const TestPlan& plan, const PluginRegistry& registry,
                    const RunSettings& settings);

}  // namespace lp
