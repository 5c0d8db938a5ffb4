// Tree values as JSON (YAML 1.2 core typing), for component configs and editors.
#pragma once

#include <nlohmann/json.hpp>

#include "yaml_tree.hpp"

namespace lp::plan {

// Non-finite floats (.inf, .nan) stay strings: JSON cannot hold them.
nlohmann::json to_json_value(const Node& node);

}  // namespace lp::plan
