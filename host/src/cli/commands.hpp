// The subcommands; each returns an ExitCode.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "loadpilot/host/plugin/plugin_registry.hpp"

namespace lp::cli {

struct GlobalOptions {
  std::vector<std::filesystem::path> plugin_dirs;
  std::string log_level = "info";
};

// Loads every plugin on the search path; refusals are logged as errors.
ScanReport load_plugins(PluginRegistry& registry, const GlobalOptions& options);

struct ValidateOptions {
  std::vector<std::filesystem::path> plans;
  bool print = false;
};
int validate_command(const GlobalOptions& global, const ValidateOptions& options);

struct PluginsOptions {
  bool json = false;
};
int plugins_command(const GlobalOptions& global, const PluginsOptions& options);

struct RunOptions {
  std::filesystem::path plan;
  bool dry_run = false;
};
int run_command(const GlobalOptions& global, const RunOptions& options);

}  // namespace lp::cli
