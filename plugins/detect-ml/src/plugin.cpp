// plugin "detect-ml": learned detectors as `detector` components, on a
// sliding window refit periodically (sliding_window.hpp). Both take a KPI
// vector per tick (univariate or multivariate) and are deterministic given
// their seed.
#include <loadpilot/sdk.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "isolation_forest.hpp"
#include "one_class_svm.hpp"
#include "sliding_window.hpp"

namespace {

using lp::sdk::ConfigError;
using nlohmann::json;
namespace det = lp::detect;

// The sliding-window keys both components take (a macro so the schemas stay
// string literals, joined at compile time).
#define LP_WINDOW_PROPERTIES                                                               \
  "\"shingle\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 64, \"default\": 1, " \
  "\"description\": \"consecutive ticks per feature vector\"},"                            \
  "\"window\": {\"type\": \"integer\", \"minimum\": 8, \"default\": 1024, "                \
  "\"description\": \"most recent feature vectors a fit uses\"},"                          \
  "\"train_min\": {\"type\": \"integer\", \"minimum\": 8, \"default\": 256, "              \
  "\"description\": \"vectors before the first fit (the warm-up)\"},"                      \
  "\"refit_every\": {\"type\": \"integer\", \"minimum\": 1, \"default\": 256},"

det::WindowOptions window_options(const json& c) {
  det::WindowOptions o;
  o.shingle = c.value("shingle", o.shingle);
  o.window = c.value("window", o.window);
  o.train_min = c.value("train_min", o.train_min);
  o.refit_every = c.value("refit_every", o.refit_every);
  o.check();
  return o;
}

template <typename F>
auto build(std::string_view config, F&& make) {
  try {
    return make(json::parse(config));
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  } catch (const json::exception& e) {
    throw ConfigError(e.what());
  }
}

// Scores through the window; flags above the threshold.
template <typename Model>
lp::sdk::Detection observe_window(det::SlidingWindow<Model>& w, double threshold,
                                  std::span<const double> values) {
  lp::sdk::Detection d;
  try {
    if (const auto s = w.observe(values)) {
      d.score = *s;
      d.flag = w.fitted() && *s > threshold;
    }
  } catch (const std::invalid_argument& e) {
    throw lp::sdk::Error(e.what(), LP_ERR_INVALID_ARGUMENT);
  }
  return d;
}

constexpr const char* kIforestSchema = R"json({
    "type": "object",
    "properties": {)json" LP_WINDOW_PROPERTIES R"json(
      "trees": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100},
      "subsample": {"type": "integer", "minimum": 2, "default": 256},
      "seed": {"type": "integer", "minimum": 0, "default": 1},
      "threshold": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.75,
                    "description": "flag scores above this (0.5 is an average point; on Gaussian noise 0.75 is about the 99.7th percentile)"}
    },
    "additionalProperties": false
  })json";

class Iforest {
 public:
  static constexpr lp_kind kind = LP_KIND_DETECTOR;
  static constexpr const char* type_name = "iforest";
  static constexpr const char* description =
      "Isolation Forest on a sliding window (univariate or multivariate)";
  static constexpr const char* config_schema = kIforestSchema;

  static det::SlidingWindow<det::IsolationForest> make(std::string_view config) {
    return build(config, [](const json& c) {
      det::IsolationForestOptions o;
      o.trees = c.value("trees", o.trees);
      o.subsample = c.value("subsample", o.subsample);
      o.seed = c.value("seed", o.seed);
      return det::SlidingWindow<det::IsolationForest>(window_options(c), det::IsolationForest(o));
    });
  }
  static void validate(std::string_view config) { make(config); }
  Iforest(const lp::sdk::Host&, std::string_view config)
      : window_(make(config)), threshold_(json::parse(config).value("threshold", 0.75)) {}

  std::uint64_t warmup() const { return window_.warmup(); }
  lp::sdk::Detection observe(std::int64_t, std::span<const double> values) {
    return observe_window(window_, threshold_, values);
  }

 private:
  det::SlidingWindow<det::IsolationForest> window_;
  double threshold_;
};

constexpr const char* kOcsvmSchema = R"json({
    "type": "object",
    "properties": {)json" LP_WINDOW_PROPERTIES R"json(
      "nu": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.1},
      "gamma": {"type": "number", "minimum": 0, "default": 0, "description": "0: 1 / features"},
      "threshold": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.95,
                    "description": "flag scores above this (0.5 is the boundary; on Gaussian noise 0.95 is about the 99.5th percentile)"}
    },
    "additionalProperties": false
  })json";

class Ocsvm {
 public:
  static constexpr lp_kind kind = LP_KIND_DETECTOR;
  static constexpr const char* type_name = "ocsvm";
  static constexpr const char* description =
      "One-Class SVM (libsvm, RBF) on standardised KPI vectors, sliding window";
  static constexpr const char* config_schema = kOcsvmSchema;

  static det::SlidingWindow<det::OneClassSvm> make(std::string_view config) {
    return build(config, [](const json& c) {
      det::OneClassSvmOptions o;
      o.nu = c.value("nu", o.nu);
      o.gamma = c.value("gamma", o.gamma);
      return det::SlidingWindow<det::OneClassSvm>(window_options(c), det::OneClassSvm(o));
    });
  }
  static void validate(std::string_view config) { make(config); }
  Ocsvm(const lp::sdk::Host&, std::string_view config)
      : window_(make(config)), threshold_(json::parse(config).value("threshold", 0.95)) {}

  std::uint64_t warmup() const { return window_.warmup(); }
  lp::sdk::Detection observe(std::int64_t, std::span<const double> values) {
    return observe_window(window_, threshold_, values);
  }

 private:
  det::SlidingWindow<det::OneClassSvm> window_;
  double threshold_;
};

}  // namespace

LOADPILOT_PLUGIN("detect-ml", "0.1.0", "Learned anomaly detectors: Isolation Forest, One-Class SVM",
                 Iforest, Ocsvm)
