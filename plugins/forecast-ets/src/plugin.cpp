// forecaster "ets": exponential smoothing state-space models, chosen by AICc
// (ets_model.hpp). Refits on fit(); update() runs the fitted model over new
// ticks without re-estimating, so it is cheap enough for every tick.
#include <loadpilot/sdk.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "ets_model.hpp"
#include "history.hpp"

namespace {

using lp::sdk::Error;
using nlohmann::json;
namespace fc = lp::forecast;

class Ets {
 public:
  static constexpr lp_kind kind = LP_KIND_FORECASTER;
  static constexpr const char* type_name = "ets";
  static constexpr const char* description =
      "Exponential smoothing (ETS) state-space models chosen by AICc, simulated intervals";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "season": {"type": "integer", "minimum": 0, "maximum": 10000,
                 "description": "season length in steps; default one day of steps, 0 for none"},
      "error": {"enum": ["auto", "A", "M"], "default": "auto"},
      "trend": {"enum": ["auto", "N", "A", "Ad"], "default": "auto"},
      "seasonality": {"enum": ["auto", "N", "A", "M"], "default": "auto"},
      "paths": {"type": "integer", "minimum": 100, "maximum": 100000, "default": 2000,
                "description": "simulated paths for the quantiles"},
      "seed": {"type": "integer", "minimum": 0, "default": 1}
    },
    "additionalProperties": false
  })json";

  Ets(const lp::sdk::Host&, std::string_view config) : config_(json::parse(config)) {
    choice_.error = config_.value("error", "auto");
    choice_.trend = config_.value("trend", "auto");
    choice_.season = config_.value("seasonality", "auto");
    paths_ = config_.value("paths", std::size_t{2000});
    seed_ = config_.value("seed", std::uint64_t{1});
  }

  void fit(const lp::sdk::Series& history, std::span<const lp::sdk::Event> events) {
    const fc::History h = fc::prepare_history(history, events);
    if (h.valid_count() < 10) {
      throw Error("history too short: ets needs at least 10 valid values, got " +
                      std::to_string(h.valid_count()),
                  LP_ERR_INVALID_ARGUMENT);
    }
    std::size_t m = fc::season_length(config_, h.step_ns);
    if (m >= 2 && h.values.size() < 2 * m) m = 0;  // too short for a season: fit without
    try {
      fit_ = fc::fit_auto(h.values, h.valid, m, choice_);
    } catch (const std::invalid_argument& e) {
      throw Error(std::string("ets: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
    }
    end_ns_ = h.end_ns();
    step_ns_ = h.step_ns;
    fitted_ = true;
  }

  void update(const lp::sdk::Series& more) {
    if (!fitted_) throw Error("update before fit", LP_ERR_INVALID_ARGUMENT);
    fc::History h{end_ns_, step_ns_, {}, {}};
    fc::append_history(h, more, {});
    try {
      fc::extend(fit_, h.values, h.valid);
    } catch (const std::invalid_argument& e) {
      throw Error(std::string("ets: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
    }
    end_ns_ = h.end_ns();
  }

  lp::sdk::Forecast predict(std::size_t horizon, std::span<const double> quantiles,
                            std::span<const lp::sdk::Event> events) {
    if (!fitted_) throw Error("predict before fit", LP_ERR_INVALID_ARGUMENT);
    for (const double q : quantiles) {
      if (!(q > 0 && q < 1))
        throw Error("quantile levels must be in (0, 1)", LP_ERR_INVALID_ARGUMENT);
    }
    lp::sdk::Forecast f;
    f.start_ns = end_ns_;
    f.step_ns = step_ns_;
    f.quantile_count = quantiles.size();
    f.mean = fc::point_forecast(fit_, horizon);
    if (!quantiles.empty())
      f.quantiles = fc::simulate_quantiles(fit_, horizon, quantiles, paths_, seed_);
    const auto factors = fc::horizon_factors(end_ns_, step_ns_, horizon, events);
    for (std::size_t i = 0; i < horizon; ++i) {
      f.mean[i] *= factors[i];
      for (std::size_t k = 0; k < quantiles.size(); ++k)
        f.quantiles[i * quantiles.size() + k] *= factors[i];
    }
    return f;
  }

  std::string save() const {
    if (!fitted_) throw Error("nothing to save: fit first", LP_ERR_INVALID_ARGUMENT);
    json j = fc::to_json(fit_);
    j["model"] = type_name;
    j["end_ns"] = end_ns_;
    j["step_ns"] = step_ns_;
    return j.dump();
  }

  void load(std::string_view state) {
    const json j = json::parse(state, nullptr, false);
    if (j.is_discarded() || j.value("model", "") != type_name) {
      throw Error("not a saved ets state", LP_ERR_INVALID_ARGUMENT);
    }
    try {
      fit_ = fc::ets_from_json(j);
      end_ns_ = j.at("end_ns").get<std::int64_t>();
      step_ns_ = j.at("step_ns").get<std::int64_t>();
    } catch (const std::exception& e) {
      throw Error(std::string("saved ets state: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
    }
    fitted_ = true;
  }

  // The chosen model, for logs and tests.
  std::string model_name() const { return fitted_ ? fit_.spec.name() : "(not fitted)"; }

 private:
  json config_;
  fc::EtsChoice choice_;
  std::size_t paths_ = 2000;
  std::uint64_t seed_ = 1;
  fc::EtsFit fit_;
  bool fitted_ = false;
  std::int64_t end_ns_ = 0;
  std::int64_t step_ns_ = 0;
};

}  // namespace

LOADPILOT_PLUGIN("forecast-ets", "0.1.0", "Exponential smoothing forecasters", Ets)
