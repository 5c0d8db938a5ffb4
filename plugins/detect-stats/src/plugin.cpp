// plugin "detect-stats": the statistical detectors as `detector` components.
// ewma, mad and cusum watch each dimension of a KPI vector on its own and
// report the most anomalous; band takes [observed, low, high] per tick.
#include <loadpilot/sdk.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "band_detector.hpp"
#include "cusum_detector.hpp"
#include "ewma_detector.hpp"
#include "mad_detector.hpp"

namespace {

using lp::sdk::ConfigError;
using nlohmann::json;
namespace det = lp::detect;

lp::sdk::Detection to_sdk(const det::Verdict& v) {
  lp::sdk::Detection d;
  d.score = v.score;
  d.flag = v.flag;
  d.expected_low = v.expected_low;
  d.expected_high = v.expected_high;
  return d;
}

// One detector per dimension, made on the first point; the dimension is
// fixed from then on. The verdict is the highest-scoring dimension's, with
// the first dimension's expected range (the ABI carries one range).
template <typename D, typename Options>
class PerDimension {
 public:
  explicit PerDimension(Options options) : options_(options), probe_(options) {}

  std::uint64_t warmup() const { return probe_.warmup(); }

  lp::sdk::Detection observe(std::span<const double> values) {
    if (values.empty()) throw lp::sdk::Error("no values", LP_ERR_INVALID_ARGUMENT);
    if (detectors_.empty()) {
      for (std::size_t i = 0; i < values.size(); ++i) detectors_.emplace_back(options_);
    } else if (values.size() != detectors_.size()) {
      throw lp::sdk::Error("expected " + std::to_string(detectors_.size()) + " values, got " +
                               std::to_string(values.size()),
                           LP_ERR_INVALID_ARGUMENT);
    }
    det::Verdict best;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const det::Verdict v = detectors_[i].observe(values[i]);
      if (i == 0) {
        best = v;
      } else {
        best.flag = best.flag || v.flag;
        best.score = std::max(best.score, v.score);
      }
    }
    return to_sdk(best);
  }

 private:
  Options options_;
  D probe_;  // validates the options at creation and answers warmup()
  std::vector<D> detectors_;
};

// Builds the options, turning std::invalid_argument into a config error.
template <typename F>
auto options_from(F&& build) {
  try {
    return build();
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  } catch (const json::exception& e) {
    throw ConfigError(e.what());
  }
}

class Ewma {
 public:
  static constexpr lp_kind kind = LP_KIND_DETECTOR;
  static constexpr const char* type_name = "ewma";
  static constexpr const char* description =
      "EWMA mean and variance with z-score bands (per dimension)";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "alpha": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.02,
                "description": "weight of the newest value (about 2/alpha values of memory)"},
      "threshold": {"type": "number", "exclusiveMinimum": 0, "default": 4,
                    "description": "flag beyond this many standard deviations"},
      "warmup": {"type": "integer", "minimum": 0, "description": "0: ceil(2/alpha)"},
      "min_stddev": {"type": "number", "minimum": 0, "default": 0,
                     "description": "floor on the deviation, in the metric's unit"}
    },
    "additionalProperties": false
  })json";

  static auto make(std::string_view config) {
    return options_from([&] {
      const json c = json::parse(config);
      det::EwmaOptions o;
      o.alpha = c.value("alpha", o.alpha);
      o.threshold = c.value("threshold", o.threshold);
      o.warmup = c.value("warmup", o.warmup);
      o.min_stddev = c.value("min_stddev", o.min_stddev);
      return PerDimension<det::EwmaDetector, det::EwmaOptions>(o);
    });
  }
  static void validate(std::string_view config) { make(config); }
  Ewma(const lp::sdk::Host&, std::string_view config) : impl_(make(config)) {}
  std::uint64_t warmup() const { return impl_.warmup(); }
  lp::sdk::Detection observe(std::int64_t, std::span<const double> values) {
    return impl_.observe(values);
  }

 private:
  PerDimension<det::EwmaDetector, det::EwmaOptions> impl_;
};

class Mad {
 public:
  static constexpr lp_kind kind = LP_KIND_DETECTOR;
  static constexpr const char* type_name = "mad";
  static constexpr const char* description = "Rolling median / MAD robust z-score (per dimension)";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "window": {"type": "integer", "minimum": 5, "default": 120},
      "threshold": {"type": "number", "exclusiveMinimum": 0, "default": 4.5,
                    "description": "flag beyond this many robust standard deviations"}
    },
    "additionalProperties": false
  })json";

  static auto make(std::string_view config) {
    return options_from([&] {
      const json c = json::parse(config);
      det::MadOptions o;
      o.window = c.value("window", o.window);
      o.threshold = c.value("threshold", o.threshold);
      return PerDimension<det::MadDetector, det::MadOptions>(o);
    });
  }
  static void validate(std::string_view config) { make(config); }
  Mad(const lp::sdk::Host&, std::string_view config) : impl_(make(config)) {}
  std::uint64_t warmup() const { return impl_.warmup(); }
  lp::sdk::Detection observe(std::int64_t, std::span<const double> values) {
    return impl_.observe(values);
  }

 private:
  PerDimension<det::MadDetector, det::MadOptions> impl_;
};

class Cusum {
 public:
  static constexpr lp_kind kind = LP_KIND_DETECTOR;
  static constexpr const char* type_name = "cusum";
  static constexpr const char* description = "Two-sided CUSUM for level shifts (per dimension)";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "baseline": {"type": "integer", "minimum": 5, "default": 60,
                   "description": "values that set (and after a shift, reset) the reference level"},
      "k": {"type": "number", "minimum": 0, "default": 0.5, "description": "slack, in standard deviations"},
      "h": {"type": "number", "exclusiveMinimum": 0, "default": 5,
            "description": "decision threshold, in standard deviations"}
    },
    "additionalProperties": false
  })json";

  static auto make(std::string_view config) {
    return options_from([&] {
      const json c = json::parse(config);
      det::CusumOptions o;
      o.baseline = c.value("baseline", o.baseline);
      o.k = c.value("k", o.k);
      o.h = c.value("h", o.h);
      return PerDimension<det::CusumDetector, det::CusumOptions>(o);
    });
  }
  static void validate(std::string_view config) { make(config); }
  Cusum(const lp::sdk::Host&, std::string_view config) : impl_(make(config)) {}
  std::uint64_t warmup() const { return impl_.warmup(); }
  lp::sdk::Detection observe(std::int64_t, std::span<const double> values) {
    return impl_.observe(values);
  }

 private:
  PerDimension<det::CusumDetector, det::CusumOptions> impl_;
};

class Band {
 public:
  static constexpr lp_kind kind = LP_KIND_DETECTOR;
  static constexpr const char* type_name = "band";
  static constexpr const char* description =
      "Residual test against a forecast: values are [observed, low, high] per tick";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "consecutive": {"type": "integer", "minimum": 1, "default": 1,
                      "description": "ticks outside the band before the flag is raised"},
      "min_half_width": {"type": "number", "minimum": 0, "default": 0,
                         "description": "the band is at least this wide each side, in the metric's unit"}
    },
    "additionalProperties": false
  })json";

  static auto make(std::string_view config) {
    return options_from([&] {
      const json c = json::parse(config);
      det::BandOptions o;
      o.consecutive = c.value("consecutive", o.consecutive);
      o.min_half_width = c.value("min_half_width", o.min_half_width);
      return det::BandDetector(o);
    });
  }
  static void validate(std::string_view config) { make(config); }
  Band(const lp::sdk::Host&, std::string_view config) : impl_(make(config)) {}
  std::uint64_t warmup() const { return 0; }
  lp::sdk::Detection observe(std::int64_t, std::span<const double> values) {
    if (values.size() != 3) {
      throw lp::sdk::Error(
          "band expects [observed, low, high], got " + std::to_string(values.size()) + " values",
          LP_ERR_INVALID_ARGUMENT);
    }
    try {
      return to_sdk(impl_.observe(values[0], values[1], values[2]));
    } catch (const std::invalid_argument& e) {
      throw lp::sdk::Error(e.what(), LP_ERR_INVALID_ARGUMENT);
    }
  }

 private:
  det::BandDetector impl_;
};

}  // namespace

LOADPILOT_PLUGIN("detect-stats", "0.1.0", "Statistical anomaly detectors: EWMA, MAD, CUSUM, band",
                 Ewma, Mad, Cusum, Band)
