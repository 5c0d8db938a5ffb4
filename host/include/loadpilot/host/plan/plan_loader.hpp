// YAML test plan -> lp::TestPlan, every error collected at once as
// FILE:LINE:COL: path.to.field: message (1-based, in file order).
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadpilot/host/plan/test_plan.hpp"
#include "loadpilot/host/plugin/component_catalog.hpp"

namespace lp {

struct PlanError {
  std::string file;  // as given (relative stays relative, so messages are stable)
  int line = 0;      // 1-based; 0 when the error is about the whole file
  int column = 0;    // 1-based
  std::string path;  // e.g. "tools[1].share"; empty for the document itself
  std::string message;

  // "FILE:LINE:COL: path: message", or "FILE: message" without a line.
  std::string format() const;
  bool operator==(const PlanError&) const = default;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

struct PlanContext {
  explicit PlanContext(const ComponentCatalog& catalog);

  const ComponentCatalog& catalog;
  EnvLookup env;  // ${VAR} values; defaults to getenv
  // Relative paths in a plan loaded from a string resolve here (default: the
  // working directory); load_plan uses the plan file's own directory.
  std::filesystem::path base_dir;
  // <repo>/vectors is where Load Vectors are looked up when neither the plan's
  // vectors.dir nor <plan dir>/vectors exists.
  std::filesystem::path repo_dir;
};

struct PlanLoadResult {
  std::optional<TestPlan> plan;     // set only when there are no errors
  std::vector<PlanError> errors;    // in file order
  std::vector<PlanError> warnings;  // in file order

  bool ok() const { return plan.has_value(); }
  // Every error, one format()ted line each, newline-terminated.
  std::string format_errors() const;
};

// Never throws; an unreadable file is reported as "FILE: cannot read plan: <reason>".
PlanLoadResult load_plan(const std::filesystem::path& file, const PlanContext& ctx);
PlanLoadResult load_plan_from_string(std::string_view yaml, std::string file_label,
                                     const PlanContext& ctx);

// The resolved plan (defaults filled, paths absolute): stored with each run and
// printed by `loadpilot validate --print`. It is itself a valid plan.
nlohmann::json to_json(const TestPlan& plan);

}  // namespace lp
