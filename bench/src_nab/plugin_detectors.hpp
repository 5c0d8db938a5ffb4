// Runs detector plugins over the NAB corpus through the real plugin host:
// per series a fresh component instance, every value observed in order
// (dimension 1, the row's timestamp as wall_ns), the Detection's score kept.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "loadpilot/host/plugin/plugin_registry.hpp"
#include "nab/corpus.hpp"

namespace lp::bench {

// Loads every plugin library in the directories and checks that each type
// is a loaded detector; throws std::runtime_error naming the missing type,
// the directories and the detectors that were found.
void load_detector_plugins(PluginRegistry& registry, const std::vector<std::filesystem::path>& dirs,
                           const std::vector<std::string>& types,
                           const std::function<void(const std::string&)>& warn);

struct DetectorRun {
  nab::Scores scores;
  double seconds = 0;  // creating instances and observing, summed
};

// `on_series(done, total, name)` reports progress. Throws std::runtime_error
// naming the detector, the series and the row on any failure.
DetectorRun run_detector(
    const PluginRegistry& registry, const std::string& type, const std::string& config_json,
    const nab::Corpus& corpus,
    const std::function<void(std::size_t, std::size_t, const std::string&)>& on_series);

}  // namespace lp::bench
