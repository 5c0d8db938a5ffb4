// Loads plugin libraries with Boost.DLL, checks them against the ABI, and
// keeps every accepted component factory. Libraries are never unloaded.
#pragma once

#include <loadpilot/abi.h>

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "loadpilot/host/plugin/component_catalog.hpp"

namespace lp {

// A library the host refused; the message names the file and the reason.
class PluginLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadedPlugin {
  std::filesystem::path library_path;
  std::string name;
  std::string version;
  std::string description;
  std::uint32_t abi_major = 0;
  std::uint32_t abi_minor = 0;
  std::uint32_t abi_patch = 0;
  std::vector<std::string> components;  // "kind/type"
};

struct ScanReport {
  std::vector<std::string> errors;    // libraries refused
  std::vector<std::string> warnings;  // skipped components, shadowed plugins
};

// The plugin search path, in order: --plugin-dir values, LOADPILOT_PLUGIN_PATH
// (colon-separated), the plugin dirs beside the executable (build tree and
// install layouts), then the compiled-in install prefix.
std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& cli_dirs);

class PluginRegistry : public ComponentCatalog {
 public:
  PluginRegistry() = default;
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Loads one library or throws PluginLoadError. A library whose plugin name
  // is already loaded from another file is skipped with a warning.
  void load_library(const std::filesystem::path& path, ScanReport* report = nullptr);

  // Loads every *.so in the directories, in order; refusals go in the report.
  ScanReport load_directories(const std::vector<std::filesystem::path>& dirs);

  const ComponentInfo* find(lp_kind kind, std::string_view type_name) const override;
  std::vector<std::string> type_names(lp_kind kind) const override;
  std::optional<std::string> validate_config(lp_kind kind, std::string_view type_name,
                                             std::string_view config_json) const override;

  // The factory behind a component, for creating instances.
  const lp_component_factory* factory(lp_kind kind, std::string_view type_name) const;

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  std::vector<const ComponentInfo*> components() const;

 private:
  struct Entry {
    ComponentInfo info;
    const lp_component_factory* factory = nullptr;
  };
  std::map<std::pair<lp_kind, std::string>, Entry> components_;
  std::vector<LoadedPlugin> plugins_;
};

}  // namespace lp
