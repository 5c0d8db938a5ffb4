#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "loadpilot/host/cli/cli.hpp"

namespace lp::cli {

int plugins_command(const GlobalOptions& global, const PluginsOptions& options) {
  PluginRegistry registry;
  const ScanReport report = load_plugins(registry, global);
  const std::string host_abi = fmt::format("{}.{}.{}", LP_ABI_VERSION_MAJOR, LP_ABI_VERSION_MINOR,
                                           LP_ABI_VERSION_PATCH);
  if (options.json) {
    nlohmann::json out;
    out["host_abi"] = host_abi;
    out["plugins"] = nlohmann::json::array();
    for (const auto& p : registry.plugins()) {
      out["plugins"].push_back({{"name", p.name},
                                {"version", p.version},
                                {"description", p.description},
                                {"abi", fmt::format("{}.{}.{}", p.abi_major, p.abi_minor,
                                                    p.abi_patch)},
                                {"library", p.library_path.string()},
                                {"components", p.components}});
    }
    out["components"] = nlohmann::json::array();
    for (const ComponentInfo* c : registry.components()) {
      const auto* plugin = [&]() -> const LoadedPlugin* {
        for (const auto& p : registry.plugins()) {
          if (p.name == c->plugin_name) return &p;
        }
        return nullptr;
      }();
      out["components"].push_back(
          {{"kind", kind_name(c->kind)},
           {"type", c->type_name},
           {"description", c->description},
           {"plugin", c->plugin_name},
           {"plugin_version", c->plugin_version},
           {"abi", plugin == nullptr ? "" : fmt::format("{}.{}.{}", plugin->abi_major,
                                                        plugin->abi_minor, plugin->abi_patch)},
           {"library", c->library_path},
           {"config_schema", nlohmann::json::parse(c->config_schema)}});
    }
    out["errors"] = report.errors;
    out["warnings"] = report.warnings;
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << fmt::format("host ABI {}\n", host_abi);
    for (const auto& p : registry.plugins()) {
      std::cout << fmt::format("\n{} {} (ABI {}.{}.{})  {}\n", p.name, p.version, p.abi_major,
                               p.abi_minor, p.abi_patch, p.library_path.string());
      for (const ComponentInfo* c : registry.components()) {
        if (c->plugin_name != p.name) continue;
        std::cout << fmt::format("  {:<10} {:<20} {}\n", kind_name(c->kind), c->type_name,
                                 c->description);
      }
    }
    if (registry.plugins().empty()) std::cout << "no plugins found\n";
  }
  // A refused library is worth failing a CI step over.
  return report.errors.empty() ? kSuccess : kRuntimeFailure;
}

}  // namespace lp::cli
