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

struct ForecastOptions {
  std::string model = "ets";
  std::string config = "{}";
  std::filesystem::path history;         // CSV, or a run store (run dir, run.db, runs dir)
  std::string metric = "achieved_rate";  // of a run store
  std::string step;                      // resampling of a store / a source's query step
  std::string source;                    // a source plugin type (prometheus)
  std::string source_config = "{}";
  std::string prometheus;  // shorthand: --source prometheus with this url
  std::string query;
  std::string range = "14d";
  std::string until;  // end of the source's range (default: now)
  std::string horizon = "24h";
  std::string quantiles = "0.05,0.5,0.95";
  std::filesystem::path events;
  std::vector<std::string> masks;  // FROM/TO
  std::string out;                 // .csv or .json; "" or "-": CSV on stdout
  std::string plot;                // .svg
  std::string save_state;
};
int forecast_command(const GlobalOptions& global, const ForecastOptions& options);

}  // namespace lp::cli
