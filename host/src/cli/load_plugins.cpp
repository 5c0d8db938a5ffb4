#include <spdlog/spdlog.h>

#include "commands.hpp"

namespace lp::cli {

ScanReport load_plugins(PluginRegistry& registry, const GlobalOptions& options) {
  const auto dirs = plugin_search_path(options.plugin_dirs);
  for (const auto& d : dirs) spdlog::debug("plugin directory {}", d.string());
  ScanReport report = registry.load_directories(dirs);
  for (const auto& w : report.warnings) spdlog::warn("{}", w);
  for (const auto& e : report.errors) spdlog::error("{}", e);
  return report;
}

}  // namespace lp::cli
