// forecaster "prophet": Prophet's decomposable model (prophet_model.hpp),
// MAP-fitted with liblbfgs' OWL-QN. Events: a named event that covers valid
// history is a regressor whose multiplier is learned (its prior centred on
// the plan's multiplier); an event seen only ahead is applied with the plan's
// multiplier. update() appends the ticks and refits from the previous
// parameters, which takes few iterations.
#include <algorithm>
#include <loadpilot/sdk.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "prophet_model.hpp"

namespace {

using lp::sdk::Error;
using nlohmann::json;
namespace fc = lp::forecast;

constexpr std::size_t kMinValid = 10;

// "auto" (-1), false (0), true (Prophet's default order) or an order.
int seasonality_setting(const json& config, const char* key, int default_order) {
  if (!config.contains(key)) return -1;
  const json& v = config[key];
  if (v.is_string() && v.get<std::string>() == "auto") return -1;
  if (v.is_boolean()) return v.get<bool>() ? default_order : 0;
  if (v.is_number_integer() && v.get<int>() >= 1 && v.get<int>() <= 50) return v.get<int>();
  throw Error(
      std::string("prophet: \"") + key + "\" must be \"auto\", true, false or an order 1-50",
      LP_ERR_INVALID_ARGUMENT);
}

std::vector<fc::EventSpan> copy_events(std::span<const lp::sdk::Event> events) {
  std::vector<fc::EventSpan> out;
  for (const auto& e : events)
    out.push_back({std::string(e.name), e.start_ns, e.end_ns, e.multiplier});
  return out;
}

class Prophet {
 public:
  static constexpr lp_kind kind = LP_KIND_FORECASTER;
  static constexpr const char* type_name = "prophet";
  static constexpr const char* description =
      "Prophet's model: piecewise-linear trend with changepoints, Fourier seasonalities, "
      "learned event multipliers; MAP by OWL-QN, simulated intervals";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "seasonality_mode": {"enum": ["additive", "multiplicative"], "default": "additive"},
      "n_changepoints": {"type": "integer", "minimum": 0, "maximum": 500, "default": 25},
      "changepoint_range": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                            "default": 0.8},
      "changepoint_prior_scale": {"type": "number", "exclusiveMinimum": 0, "default": 0.05},
      "seasonality_prior_scale": {"type": "number", "exclusiveMinimum": 0, "default": 10},
      "event_prior_scale": {"type": "number", "exclusiveMinimum": 0, "default": 10,
                            "description": "prior sd of a learned event's log multiplier"},
      "yearly": {"anyOf": [{"enum": ["auto", true, false]},
                           {"type": "integer", "minimum": 1, "maximum": 50}]},
      "weekly": {"anyOf": [{"enum": ["auto", true, false]},
                           {"type": "integer", "minimum": 1, "maximum": 50}]},
      "daily": {"anyOf": [{"enum": ["auto", true, false]},
                          {"type": "integer", "minimum": 1, "maximum": 50}]},
      "max_iterations": {"type": "integer", "minimum": 10, "maximum": 100000, "default": 2000,
                         "description": "L-BFGS iterations for a fit"},
      "update_iterations": {"type": "integer", "minimum": 10, "maximum": 100000, "default": 300,
                            "description": "for a refit from the previous fit in update()"},
      "paths": {"type": "integer", "minimum": 100, "maximum": 100000, "default": 1000,
                "description": "simulated paths for the quantiles"},
      "seed": {"type": "integer", "minimum": 0, "default": 1}
    },
    "additionalProperties": false
  })json";

  Prophet(const lp::sdk::Host&, std::string_view config) {
    const json c = json::parse(config);
    const std::string mode = c.value("seasonality_mode", "additive");
    if (mode != "additive" && mode != "multiplicative") {
      throw Error("prophet: seasonality_mode must be \"additive\" or \"multiplicative\"",
                  LP_ERR_INVALID_ARGUMENT);
    }
    settings_.multiplicative = mode == "multiplicative";
    settings_.n_changepoints = c.value("n_changepoints", std::size_t{25});
    settings_.changepoint_range = c.value("changepoint_range", 0.8);
    settings_.changepoint_prior_scale = c.value("changepoint_prior_scale", 0.05);
    settings_.seasonality_prior_scale = c.value("seasonality_prior_scale", 10.0);
    settings_.event_prior_scale = c.value("event_prior_scale", 10.0);
    settings_.yearly = seasonality_setting(c, "yearly", 10);
    settings_.weekly = seasonality_setting(c, "weekly", 3);
    settings_.daily = seasonality_setting(c, "daily", 4);
    settings_.max_iterations = c.value("max_iterations", std::size_t{2000});
    update_iterations_ = c.value("update_iterations", std::size_t{300});
    paths_ = c.value("paths", std::size_t{1000});
    seed_ = c.value("seed", std::uint64_t{1});
  }

  void fit(const lp::sdk::Series& history, std::span<const lp::sdk::Event> events) {
    if (history.step_ns <= 0)
      throw Error("the history's step must be > 0", LP_ERR_INVALID_ARGUMENT);
    fc::ProphetData d;
    d.start_ns = history.start_ns;
    d.step_ns = history.step_ns;
    append(d, history);
    d.events = copy_events(events);
    refit(std::move(d), nullptr);
  }

  void update(const lp::sdk::Series& more) {
    if (!fitted_) throw Error("update before fit", LP_ERR_INVALID_ARGUMENT);
    if (more.step_ns != data_.step_ns)
      throw Error("update: the step differs from the fitted history's", LP_ERR_INVALID_ARGUMENT);
    if (more.start_ns != end_ns())
      throw Error("update: the new values must start where the history ends",
                  LP_ERR_INVALID_ARGUMENT);
    fc::ProphetData d = data_;
    append(d, more);
    const fc::ProphetFit previous = fit_;
    refit(std::move(d), &previous);
  }

  lp::sdk::Forecast predict(std::size_t horizon, std::span<const double> quantiles,
                            std::span<const lp::sdk::Event> events) {
    if (!fitted_) throw Error("predict before fit", LP_ERR_INVALID_ARGUMENT);
    for (const double q : quantiles) {
      if (!(q > 0 && q < 1))
        throw Error("quantile levels must be in (0, 1)", LP_ERR_INVALID_ARGUMENT);
    }
    std::vector<std::int64_t> times(horizon);
    for (std::size_t i = 0; i < horizon; ++i)
      times[i] = end_ns() + static_cast<std::int64_t>(i) * data_.step_ns;
    const auto ahead = copy_events(events);
    lp::sdk::Forecast f;
    f.start_ns = end_ns();
    f.step_ns = data_.step_ns;
    f.quantile_count = quantiles.size();
    f.mean = fc::prophet_mean(fit_, times, ahead);
    if (!quantiles.empty())
      f.quantiles = fc::prophet_quantiles(fit_, times, ahead, quantiles, paths_, seed_);
    return f;
  }

  // The fit and the history it came from (update() refits on all of it).
  std::string save() const {
    if (!fitted_) throw Error("nothing to save: fit first", LP_ERR_INVALID_ARGUMENT);
    json events = json::array();
    for (const auto& e : data_.events) {
      events.push_back({{"name", e.name},
                        {"start_ns", e.start_ns},
                        {"end_ns", e.end_ns},
                        {"multiplier", e.multiplier}});
    }
    json j;
    j["model"] = type_name;
    j["fit"] = fc::to_json(fit_);
    j["history"] = {{"start_ns", data_.start_ns},
                    {"step_ns", data_.step_ns},
                    {"values", data_.values},
                    {"valid", data_.valid},
                    {"events", events}};
    return j.dump();
  }

  void load(std::string_view state) {
    const json j = json::parse(state, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("model", "") != type_name)
      throw Error("not a saved prophet state", LP_ERR_INVALID_ARGUMENT);
    try {
      fc::ProphetFit fit = fc::prophet_from_json(j.at("fit"));
      const json& h = j.at("history");
      fc::ProphetData d;
      d.start_ns = h.at("start_ns").get<std::int64_t>();
      d.step_ns = h.at("step_ns").get<std::int64_t>();
      d.values = h.at("values").get<std::vector<double>>();
      d.valid = h.at("valid").get<std::vector<std::uint8_t>>();
      for (const auto& e : h.at("events")) {
        d.events.push_back({e.at("name").get<std::string>(), e.at("start_ns").get<std::int64_t>(),
                            e.at("end_ns").get<std::int64_t>(), e.at("multiplier").get<double>()});
      }
      if (d.step_ns != fit.step_ns || d.values.size() != d.valid.size())
        throw std::invalid_argument("history and fit disagree");
      settings_ = fit.settings;  // the saved model's, for later updates
      fit_ = std::move(fit);
      data_ = std::move(d);
    } catch (const std::exception& e) {
      throw Error(std::string("saved prophet state: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
    }
    fitted_ = true;
  }

 private:
  std::int64_t end_ns() const {
    return data_.start_ns + static_cast<std::int64_t>(data_.values.size()) * data_.step_ns;
  }

  // Non-finite values are gaps, as everywhere in the forecasters.
  static void append(fc::ProphetData& d, const lp::sdk::Series& s) {
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      const bool ok = s.is_valid(i) && std::isfinite(s.values[i]);
      d.values.push_back(ok ? s.values[i] : 0.0);
      d.valid.push_back(ok ? 1 : 0);
    }
  }

  void refit(fc::ProphetData d, const fc::ProphetFit* warm) {
    std::size_t valid = 0;
    for (const auto v : d.valid) valid += v;
    if (valid < kMinValid) {
      throw Error("history too short: prophet needs at least " + std::to_string(kMinValid) +
                      " valid values, got " + std::to_string(valid),
                  LP_ERR_INVALID_ARGUMENT);
    }
    try {
      // From the previous fit a smaller budget suffices (about 5x cheaper on
      // M4 Hourly, forecasts within the spread of full refits).
      fc::ProphetSettings s = settings_;
      if (warm != nullptr) s.max_iterations = std::min(s.max_iterations, update_iterations_);
      fit_ = fc::fit_prophet(d, s, warm);
      fit_.settings = settings_;
    } catch (const std::invalid_argument& e) {
      throw Error(std::string("prophet: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
    }
    data_ = std::move(d);
    fitted_ = true;
  }

  fc::ProphetSettings settings_;
  std::size_t update_iterations_ = 300;
  std::size_t paths_ = 1000;
  std::uint64_t seed_ = 1;
  fc::ProphetData data_;
  fc::ProphetFit fit_;
  bool fitted_ = false;
};

}  // namespace

LOADPILOT_PLUGIN("forecast-prophet", "0.1.0", "Prophet's decomposable forecasting model", Prophet)
