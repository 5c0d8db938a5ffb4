// load_plan: read and merge the files, build the TestPlan, hand back every error.
#include "loadpilot/host/plan/plan_loader.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "diagnostics.hpp"
#include "plan_builder.hpp"
#include "plan_files.hpp"

namespace lp {

std::string PlanError::format() const {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}:{}", line, column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

std::string PlanLoadResult::format_errors() const {
  std::string out;
  for (const PlanError& e : errors) out += e.format() + "\n";
  return out;
}

PlanContext::PlanContext(const ComponentCatalog& c)
    : catalog(c),
      env([](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      }),
      repo_dir(LOADPILOT_SOURCE_DIR) {}

namespace {

template <typename LoadTree>
PlanLoadResult load(const PlanContext& ctx, LoadTree load_tree) {
  PlanLoadResult result;
  plan::Diagnostics diag;
  try {
    plan::PlanFiles files(diag, ctx);
    std::optional<plan::Node> root = load_tree(files);
    if (root) {
      plan::PlanBuilder builder(diag, ctx, files);
      TestPlan plan = builder.build(*root);
      if (!diag.has_errors()) result.plan = std::move(plan);
    }
  } catch (const std::exception& e) {
    // A bug, not the plan's fault; still never an exception to the caller.
    if (diag.file_count() == 0) diag.add_file("<plan>");
    diag.file_error(0, fmt::format("internal error while loading the plan: {}", e.what()));
    result.plan.reset();
  }
  result.errors = diag.errors();
  result.warnings = diag.warnings();
  if (!result.errors.empty()) result.plan.reset();
  return result;
}

}  // namespace

PlanLoadResult load_plan(const std::filesystem::path& file, const PlanContext& ctx) {
  return load(ctx, [&](plan::PlanFiles& files) { return files.load_root_file(file); });
}

PlanLoadResult load_plan_from_string(std::string_view yaml, std::string file_label,
                                     const PlanContext& ctx) {
  return load(ctx, [&](plan::PlanFiles& files) {
    return files.load_root_string(yaml, std::move(file_label));
  });
}

}  // namespace lp
