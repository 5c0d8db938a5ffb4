#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "loadpilot/host/cli/cli.hpp"
#include "loadpilot/host/plan/plan_loader.hpp"
#include "loadpilot/host/plugin/component.hpp"
#include "loadpilot/host/run/run_controller.hpp"

namespace lp::cli {
namespace {

struct Planned {
  lp_kind kind;
  std::string id;
  std::string type;
  nlohmann::json config;
};

// Every component the plan wires, with the config its plugin will get.
std::vector<Planned> planned_components(const TestPlan& plan) {
  std::vector<Planned> out;
  for (const auto& t : plan.tools) {
    nlohmann::json config = t.config;
    if (!t.suite.empty()) config["suite"] = t.suite.string();
    out.push_back({LP_KIND_TOOL, t.id, t.tool, config});
  }
  if (plan.provision) {
    out.push_back({LP_KIND_PROVIDER, plan.provision->provider, plan.provision->provider,
                   plan.provision->config});
  }
  if (plan.forecast) {
    out.push_back(
        {LP_KIND_FORECASTER, plan.forecast->model, plan.forecast->model, plan.forecast->config});
  }
  for (const auto& s : plan.sources) out.push_back({LP_KIND_SOURCE, s.id, s.source, s.config});
  for (const auto& d : plan.detect) out.push_back({LP_KIND_DETECTOR, d.id, d.detector, d.config});
  for (const auto& s : plan.store.sinks) out.push_back({LP_KIND_SINK, s.id, s.sink, s.config});
  return out;
}

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

// Ctrl-C and SIGTERM stop the run at the next tick; its data is kept. A
// second Ctrl-C falls back to the default action.
void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int dry_run(const TestPlan& plan, const PluginRegistry& registry, const RunOptions& options);

}  // namespace

int run_command(const GlobalOptions& global, const RunOptions& options) {
  PluginRegistry registry;
  load_plugins(registry, global);
  PlanContext ctx(registry);
  ctx.repo_dir = LOADPILOT_SOURCE_DIR;
  const PlanLoadResult result = load_plan(options.plan, ctx);
  for (const auto& w : result.warnings) std::cerr << w.format() << " (warning)\n";
  if (!result.ok()) {
    std::cerr << result.format_errors();
    return kUsageOrPlanError;
  }
  const TestPlan& plan = *result.plan;
  if (options.dry_run) return dry_run(plan, registry, options);

  install_interrupt_handler();
  RunSettings settings;
  settings.progress = &std::cerr;
  settings.progress_is_tty = ::isatty(STDERR_FILENO) != 0;
  settings.interrupt = &g_interrupted;
  const RunOutcome outcome = run_plan(plan, registry, settings);
  if (!outcome.run_dir.empty()) {
    std::cout << fmt::format("run {}: {}\n", outcome.run_id,
                             (outcome.run_dir / "summary.json").string());
  }
  if (outcome.exit_code != kSuccess) spdlog::error("{}", outcome.message);
  return outcome.exit_code;
}

namespace {

int dry_run(const TestPlan& plan, const PluginRegistry& registry, const RunOptions& options) {
  // Create (then destroy) every component: this is where a plugin rejects a
  // config its schema could not, or finds its suite missing.
  std::cout << fmt::format("plan \"{}\" ({})\n", plan.name, options.plan.string());
  int failures = 0;
  for (const auto& p : planned_components(plan)) {
    const std::string label = fmt::format("{}/{}", kind_name(p.kind), p.id);
    HostServices services(label);
    try {
      Component c(registry, p.kind, p.type, p.config.dump(), services);
      std::cout << fmt::format("  {:<24} {:<12} ready\n", label, p.type);
    } catch (const ComponentError& e) {
      std::cout << fmt::format("  {:<24} {:<12} FAILED\n", label, p.type);
      spdlog::error("{}", e.what());
      ++failures;
    }
  }
  if (plan.profile && !plan.profile->vector_sequence.empty()) {
    std::cout << fmt::format("  profile: {}\n", fmt::join(plan.profile->vector_sequence, " -> "));
  }
  std::cout << fmt::format("dry run: {} component(s), {} failed; no load sent\n",
                           planned_components(plan).size(), failures);
  return failures == 0 ? kSuccess : kRuntimeFailure;
}

}  // namespace
}  // namespace lp::cli
