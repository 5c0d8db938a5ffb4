#include "loadpilot/host/cli/cli.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "vectors_command.hpp"

namespace lp::cli {
namespace {

void configure_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("loadpilot");
  logger->set_pattern("%^loadpilot: %l:%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{
      "loadpilot: runs JMeter, Gatling and Locust suites and Load Vectors under predictive "
      "provisioning and closed-loop load shaping.\n\nExit codes: 0 success, 1 pass/fail "
      "criteria failed, 2 usage or plan error, 3 runtime failure.",
      "loadpilot"};
  app.set_version_flag("-V,--version", std::string("loadpilot ") + LOADPILOT_VERSION +
                                           " (plugin ABI " + std::to_string(LP_ABI_VERSION_MAJOR) +
                                           "." + std::to_string(LP_ABI_VERSION_MINOR) + "." +
                                           std::to_string(LP_ABI_VERSION_PATCH) + ")");
  app.require_subcommand(1);

  GlobalOptions global;
  app.add_option("--plugin-dir", global.plugin_dirs,
                 "Directory of plugin libraries, searched first (repeatable); then "
                 "LOADPILOT_PLUGIN_PATH, then the install's plugin directory")
      ->check(CLI::ExistingDirectory);
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  ValidateOptions validate;
  auto* validate_cmd = app.add_subcommand("validate", "Check test plans; print every error");
  validate_cmd->add_option("plans", validate.plans, "Plan files")
      ->required()
      ->check(CLI::ExistingFile);
  validate_cmd->add_flag("--print", validate.print, "Print the resolved plan as JSON");

  PluginsOptions plugins;
  auto* plugins_cmd =
      app.add_subcommand("plugins", "List plugin components with their config schemas");
  plugins_cmd->add_flag("--json", plugins.json, "Machine-readable output");

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a test plan");
  run_cmd->add_option("plan", run.plan, "Plan file")->required()->check(CLI::ExistingFile);
  run_cmd->add_flag("--dry-run", run.dry_run,
                    "Validate the plan and create every component, but send no load");

  ForecastOptions forecast;
  auto* forecast_cmd = app.add_subcommand(
      "forecast",
      "Fit a forecaster on history (CSV, past runs, Prometheus); write the forecast with "
      "quantiles and a plot");
  forecast_cmd->add_option("--model", forecast.model, "Forecaster type (see `plugins`), or auto")
      ->capture_default_str();
  forecast_cmd->add_option("--config", forecast.config, "The forecaster's config as JSON")
      ->capture_default_str();
  forecast_cmd->add_option(
      "--history", forecast.history,
      "CSV of timestamp,value; or a run store (runs/ or runs/<id>): previous load tests");
  forecast_cmd
      ->add_option("--metric", forecast.metric,
                   "Of a run store: achieved_rate, offered_rate, requests, errors, error_rate, "
                   "p50_ms, p90_ms, p99_ms, mean_ms, or a stored metric's name")
      ->capture_default_str();
  forecast_cmd->add_option("--step", forecast.step,
                           "Resample a run store to this step; a source query's step (default 1h)");
  forecast_cmd->add_option("--prometheus", forecast.prometheus,
                           "History from this Prometheus (URL) and --query");
  forecast_cmd->add_option("--source", forecast.source,
                           "History from this source plugin type and --query");
  forecast_cmd->add_option("--source-config", forecast.source_config,
                           "The source's config as JSON, e.g. {\"url\": ...}");
  forecast_cmd->add_option("--query", forecast.query, "The source's range query (PromQL)");
  forecast_cmd->add_option("--range", forecast.range, "How far back the source's history goes")
      ->capture_default_str();
  forecast_cmd->add_option("--until", forecast.until,
                           "End of the source's history, a timestamp (default: now)");
  forecast_cmd->add_option("--horizon", forecast.horizon, "How far ahead, e.g. 24h")
      ->capture_default_str();
  forecast_cmd->add_option("--quantiles", forecast.quantiles, "Levels, comma-separated")
      ->capture_default_str();
  forecast_cmd->add_option("--events", forecast.events, "CSV of name,start,end,multiplier")
      ->check(CLI::ExistingFile);
  forecast_cmd->add_option("--mask", forecast.masks,
                           "FROM/TO: an outage not to learn (repeatable)");
  forecast_cmd->add_option("--out", forecast.out,
                           "Forecast file, .csv or .json (default: CSV on stdout)");
  forecast_cmd->add_option("--plot", forecast.plot, "SVG plot of history, forecast and band");
  forecast_cmd->add_option("--save-state", forecast.save_state, "Write the fitted model's state");

  VectorsOptions vectors;
  auto* vectors_cmd =
      app.add_subcommand("vectors", "List, show and validate Load Vectors (exit 2 on any error)");
  vectors_cmd->add_option("action", vectors.action, "list | show ID | validate [FILES or DIRS]")
      ->required()
      ->check(CLI::IsMember({"list", "show", "validate"}));
  vectors_cmd->add_option("args", vectors.args,
                          "show: a vector id; validate: vector files or directories "
                          "(default: the vector directory)");
  vectors_cmd
      ->add_option("--dir", vectors.dir,
                   "Vector directory (default: ./vectors, else the source tree's)")
      ->check(CLI::ExistingDirectory);
  vectors_cmd->add_flag("--json", vectors.json, "Machine-readable output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageOrPlanError;
  }

  configure_logging(global.log_level);
  try {
    if (*validate_cmd) return validate_command(global, validate);
    if (*plugins_cmd) return plugins_command(global, plugins);
    if (*run_cmd) return run_command(global, run);
    if (*vectors_cmd) return vectors_command(vectors);
    if (*forecast_cmd) return forecast_command(global, forecast);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kRuntimeFailure;
  }
  return kUsageOrPlanError;
}

}  // namespace lp::cli
