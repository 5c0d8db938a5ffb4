// Component references in a plan (tool, provider, forecast.model, detector,
// source, sink): the type must be in the catalog, and the config must pass
// the plugin's JSON Schema and then its own validate_config.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "diagnostics.hpp"
#include "loadpilot/host/plugin/component_catalog.hpp"
#include "yaml_tree.hpp"

namespace lp::plan {

class ComponentChecker {
 public:
  ComponentChecker(Diagnostics& diag, const ComponentCatalog& catalog);
  ~ComponentChecker();

  // The type if the catalog knows it for that kind; else reports with did-you-mean.
  std::optional<std::string> type(lp_kind kind, const Node& type_node, const std::string& path);

  // The config as JSON ({} when absent). Each schema violation is reported at
  // the YAML location of the offending field; owner locates an absent config.
  nlohmann::json config(lp_kind kind, const std::string& type, const Node* config,
                        const Node& owner, const std::string& config_path);

 private:
  struct CompiledSchema;
  const CompiledSchema* schema_for(lp_kind kind, const std::string& type);

  Diagnostics& diag_;
  const ComponentCatalog& catalog_;
  std::map<std::pair<lp_kind, std::string>, std::unique_ptr<CompiledSchema>> schemas_;
};

}  // namespace lp::plan
