#include "plugin_detectors.hpp"

#include <chrono>
#include <span>
#include <stdexcept>

#include "loadpilot/host/plugin/component.hpp"

namespace lp::bench {

namespace {

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

}  // namespace

void load_detector_plugins(PluginRegistry& registry, const std::vector<std::filesystem::path>& dirs,
                           const std::vector<std::string>& types,
                           const std::function<void(const std::string&)>& warn) {
  std::vector<std::string> shown;
  for (const auto& d : dirs) shown.push_back(d.string());
  const ScanReport report = registry.load_directories(dirs);
  for (const auto& e : report.errors) warn("plugin refused: " + e);
  for (const auto& w : report.warnings) warn(w);
  for (const auto& type : types) {
    if (registry.find(LP_KIND_DETECTOR, type) != nullptr) continue;
    const auto found = registry.type_names(LP_KIND_DETECTOR);
    throw std::runtime_error("no detector plugin of type \"" + type + "\" in " + join(shown, ", ") +
                             " (detectors found: " + (found.empty() ? "none" : join(found, ", ")) +
                             "); build the plugins (cmake --build build) or pick others with "
                             "--detectors");
  }
}

DetectorRun run_detector(
    const PluginRegistry& registry, const std::string& type, const std::string& config_json,
    const nab::Corpus& corpus,
    const std::function<void(std::size_t, std::size_t, const std::string&)>& on_series) {
  if (const auto error = registry.validate_config(LP_KIND_DETECTOR, type, config_json)) {
    throw std::runtime_error("detector \"" + type + "\" refuses config " + config_json + ": " +
                             *error);
  }
  DetectorRun run;
  const auto n = corpus.series.size();
  for (std::size_t i = 0; i < n; ++i) {
    const nab::Series& s = corpus.series[i];
    on_series(i, n, s.name);
    std::vector<double> scores(s.values.size());
    std::size_t row = 0;
    bool created = false;
    const auto start = std::chrono::steady_clock::now();
    try {
      HostServices services("detector/" + type);
      Component component(registry, LP_KIND_DETECTOR, type, config_json, services);
      DetectorClient client(component);
      created = true;
      for (; row < s.values.size(); ++row) {
        const double value = s.values[row];
        scores[row] =
            client.observe(s.timestamps_ns[row], std::span<const double>(&value, 1)).score;
      }
      if (const auto reported = services.take_reported_errors(); !reported.empty()) {
        throw std::runtime_error("reported: " + join(reported, "; "));
      }
    } catch (const std::exception& e) {
      const std::string where =
          !created ? "creating an instance"
          : row < s.values.size()
              ? "row " + std::to_string(row + 1) + " of " + std::to_string(s.values.size())
              : "after the last row";
      throw std::runtime_error("detector \"" + type + "\" on " + s.name + " (" + where +
                               "): " + e.what());
    }
    run.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.scores.push_back(std::move(scores));
  }
  on_series(n, n, "");
  return run;
}

}  // namespace lp::bench
