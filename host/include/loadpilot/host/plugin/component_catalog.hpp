// What the plan loader needs to know about plugins: which component types
// exist per kind, and each one's config schema. The plugin registry
// implements it; tests use a small in-memory one.
#pragma once

#include <loadpilot/abi.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lp {

// "tool", "provider", ... ; "unknown" for anything else.
std::string_view kind_name(lp_kind kind);
std::optional<lp_kind> kind_from_name(std::string_view name);

struct ComponentInfo {
  lp_kind kind = 0;
  std::string type_name;
  std::string description;
  std::string config_schema;  // JSON Schema text (draft-07)
  std::string plugin_name;
  std::string plugin_version;
  std::string library_path;
};

class ComponentCatalog {
 public:
  virtual ~ComponentCatalog() = default;
  // nullptr when no component of that kind has that type name.
  virtual const ComponentInfo* find(lp_kind kind, std::string_view type_name) const = 0;
  // All type names of one kind, sorted.
  virtual std::vector<std::string> type_names(lp_kind kind) const = 0;
  // The plugin's own deeper check of a config that already passed its schema
  // (lp_component_factory::validate). Returns the plugin's message on failure.
  virtual std::optional<std::string> validate_config(lp_kind kind, std::string_view type_name,
                                                     std::string_view config_json) const = 0;
};

}  // namespace lp
