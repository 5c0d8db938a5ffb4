// What the loader accepts, in a form tests compare with host/schema/plan.schema.json
// so the editor schema and the C++ loader cannot drift apart.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lp {

struct PlanSection {
  std::string_view path;  // "" for the top level, "tools[]" for each tool, "target.demo", ...
  std::vector<std::string_view> keys;
};

// Every map the loader reads, with its known keys (free-form `config` maps excluded).
const std::vector<PlanSection>& plan_sections();

// A YAML document as plain JSON with YAML 1.2 core typing, no ${VAR}
// substitution and no includes: what an editor validates against the schema.
// nullopt with *error set on a syntax error.
std::optional<nlohmann::json> yaml_to_json(std::string_view yaml, std::string* error);

}  // namespace lp
