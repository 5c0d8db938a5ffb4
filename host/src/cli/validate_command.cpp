#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.hpp"
#include "loadpilot/host/cli/cli.hpp"
#include "loadpilot/host/plan/plan_loader.hpp"

namespace lp::cli {

int validate_command(const GlobalOptions& global, const ValidateOptions& options) {
  PluginRegistry registry;
  load_plugins(registry, global);
  PlanContext ctx(registry);
  ctx.repo_dir = LOADPILOT_SOURCE_DIR;
  int exit_code = kSuccess;
  for (const auto& plan : options.plans) {
    const PlanLoadResult result = load_plan(plan, ctx);
    for (const auto& w : result.warnings) std::cerr << w.format() << " (warning)\n";
    if (!result.ok()) {
      std::cerr << result.format_errors();
      std::cerr << plan.string() << ": " << result.errors.size()
                << (result.errors.size() == 1 ? " error\n" : " errors\n");
      exit_code = kUsageOrPlanError;
      continue;
    }
    if (options.print) {
      std::cout << to_json(*result.plan).dump(2) << "\n";
    } else {
      std::cout << plan.string() << ": ok\n";
    }
  }
  return exit_code;
}

}  // namespace lp::cli
