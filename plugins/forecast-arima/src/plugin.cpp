// forecaster "arima": seasonal ARIMA with automatic order selection
// (arima_model.hpp). fit() chooses and estimates the model; update() filters
// new ticks through it without re-estimating, so it is cheap enough for
// every tick; intervals are Gaussian from the state-space forecast variance.
#include <loadpilot/sdk.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "arima_model.hpp"
#include "history.hpp"
#include "normal.hpp"

namespace {

// Steps per season beyond which the search is kept cheap (see fit()).
constexpr std::size_t kLongSeason = 48;

using lp::sdk::Error;
using nlohmann::json;
namespace fc = lp::forecast;

constexpr std::size_t kMinValid = 10;

class Arima {
 public:
  static constexpr lp_kind kind = LP_KIND_FORECASTER;
  static constexpr const char* type_name = "arima";
  static constexpr const char* description =
      "Seasonal ARIMA chosen by a stepwise search (auto.arima), exact likelihood, Gaussian "
      "intervals";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "season": {"type": "integer", "minimum": 0, "maximum": 10000,
                 "description": "season length in steps; default one day of steps, 0 for none"},
      "max_p": {"type": "integer", "minimum": 0, "maximum": 5, "default": 5},
      "max_q": {"type": "integer", "minimum": 0, "maximum": 5, "default": 5},
      "max_P": {"type": "integer", "minimum": 0, "maximum": 2, "default": 2},
      "max_Q": {"type": "integer", "minimum": 0, "maximum": 2, "default": 2},
      "max_d": {"type": "integer", "minimum": 0, "maximum": 2, "default": 2},
      "max_D": {"type": "integer", "minimum": 0, "maximum": 1, "default": 1},
      "d": {"type": "integer", "minimum": 0, "maximum": 2,
            "description": "fixed differencing instead of the KPSS tests"},
      "D": {"type": "integer", "minimum": 0, "maximum": 1,
            "description": "fixed seasonal differencing instead of the strength rule"},
      "order": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 10},
                "minItems": 3, "maxItems": 3,
                "description": "fixed (p, d, q): no search"},
      "seasonal_order": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 2},
                         "minItems": 3, "maxItems": 3,
                         "description": "fixed (P, D, Q) with order; default (0, 0, 0)"},
      "constant": {"type": "boolean",
                   "description": "with order: a mean (d + D = 0) or drift (d + D = 1); default: a mean when d + D = 0"},
      "allow_constant": {"type": "boolean", "default": true},
      "ic": {"enum": ["aicc", "aic", "bic"], "default": "aicc"},
      "max_models": {"type": "integer", "minimum": 1, "maximum": 500, "default": 94},
      "exact": {"type": "boolean", "description": "refit the chosen model by exact likelihood (default: yes up to 48 steps a season; longer seasons keep the CSS estimates and at most one seasonal AR and MA term)"}
    },
    "additionalProperties": false
  })json";

  Arima(const lp::sdk::Host&, std::string_view config) : config_(json::parse(config)) {
    search_.max_p = config_.value("max_p", std::size_t{5});
    search_.max_q = config_.value("max_q", std::size_t{5});
    search_.max_P = config_.value("max_P", std::size_t{2});
    search_.max_Q = config_.value("max_Q", std::size_t{2});
    search_.max_d = config_.value("max_d", std::size_t{2});
    search_.max_D = config_.value("max_D", std::size_t{1});
    if (config_.contains("d")) search_.d = config_["d"].get<std::size_t>();
    if (config_.contains("D")) search_.D = config_["D"].get<std::size_t>();
    search_.allow_constant = config_.value("allow_constant", true);
    const std::string ic = config_.value("ic", "aicc");
    search_.ic = ic == "aic"   ? fc::InformationCriterion::kAic
                 : ic == "bic" ? fc::InformationCriterion::kBic
                               : fc::InformationCriterion::kAicc;
    search_.max_models = config_.value("max_models", std::size_t{94});
    search_.exact = config_.value("exact", true);
    if (config_.contains("seasonal_order") && !config_.contains("order"))
      throw Error("arima: seasonal_order needs order", LP_ERR_INVALID_ARGUMENT);
    if (config_.contains("order")) {
      const auto o = config_["order"].get<std::vector<std::size_t>>();
      const auto s = config_.value("seasonal_order", std::vector<std::size_t>{0, 0, 0});
      fixed_ = fc::ArimaOrder{o[0], o[1], o[2], s[0], s[1], s[2], 1, false};
      fixed_->constant = config_.value("constant", o[1] + s[1] == 0);
    }
  }

  void fit(const lp::sdk::Series& history, std::span<const lp::sdk::Event> events) {
    const fc::History h = fc::prepare_history(history, events);
    if (h.valid_count() < kMinValid) {
      throw Error("history too short: arima needs at least " + std::to_string(kMinValid) +
                      " valid values, got " + std::to_string(h.valid_count()),
                  LP_ERR_INVALID_ARGUMENT);
    }
    std::size_t m = fc::season_length(config_, h.step_ns);
    try {
      if (fixed_) {
        fc::ArimaOrder o = *fixed_;
        const bool seasonal = o.P || o.D || o.Q;
        if (seasonal && m < 2)
          throw std::invalid_argument("a seasonal order needs a season length >= 2");
        o.m = seasonal ? m : 1;
        fit_ = fc::fit_arima(h.values, h.valid, o);
      } else {
        if (m >= 2 && h.values.size() < 3 * m) m = 1;  // too short for a season: fit without
        fc::ArimaSearch search = search_;
        // Long seasons (5-minute data: 288 steps a day) make the state as long
        // as P or Q seasons: one seasonal term each and the CSS estimates keep
        // a fit to seconds, unless the config asks otherwise.
        if (m > kLongSeason) {
          if (!config_.contains("max_P")) search.max_P = std::min<std::size_t>(search.max_P, 1);
          if (!config_.contains("max_Q")) search.max_Q = std::min<std::size_t>(search.max_Q, 1);
          if (!config_.contains("exact")) search.exact = false;
        }
        fit_ = fc::auto_arima(h.values, h.valid, m, search);
      }
    } catch (const std::invalid_argument& e) {
      throw Error(std::string("arima: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
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
      throw Error(std::string("arima: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
    }
    end_ns_ = h.end_ns();
  }

  lp::sdk::Forecast predict(std::size_t horizon, std::span<const double> quantiles,
                            std::span<const lp::sdk::Event> events) {
    if (!fitted_) throw Error("predict before fit", LP_ERR_INVALID_ARGUMENT);
    std::vector<double> z;
    for (const double q : quantiles) {
      if (!(q > 0 && q < 1))
        throw Error("quantile levels must be in (0, 1)", LP_ERR_INVALID_ARGUMENT);
      z.push_back(fc::normal_quantile(q));
    }
    const fc::ArimaForecast r = fc::forecast(fit_, horizon);
    const auto factors = fc::horizon_factors(end_ns_, step_ns_, horizon, events);
    lp::sdk::Forecast f;
    f.start_ns = end_ns_;
    f.step_ns = step_ns_;
    f.quantile_count = quantiles.size();
    f.mean.resize(horizon);
    f.quantiles.resize(horizon * quantiles.size());
    for (std::size_t i = 0; i < horizon; ++i) {
      f.mean[i] = r.mean[i] * factors[i];
      for (std::size_t k = 0; k < z.size(); ++k)
        f.quantiles[i * z.size() + k] = (r.mean[i] + z[k] * r.sd[i]) * factors[i];
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
      throw Error("not a saved arima state", LP_ERR_INVALID_ARGUMENT);
    }
    try {
      fit_ = fc::arima_from_json(j);
      end_ns_ = j.at("end_ns").get<std::int64_t>();
      step_ns_ = j.at("step_ns").get<std::int64_t>();
    } catch (const std::exception& e) {
      throw Error(std::string("saved arima state: ") + e.what(), LP_ERR_INVALID_ARGUMENT);
    }
    fitted_ = true;
  }

  // The chosen model, for logs and tests.
  std::string model_name() const { return fitted_ ? fit_.order.name() : "(not fitted)"; }

 private:
  json config_;
  fc::ArimaSearch search_;
  std::optional<fc::ArimaOrder> fixed_;
  fc::ArimaFit fit_;
  bool fitted_ = false;
  std::int64_t end_ns_ = 0;
  std::int64_t step_ns_ = 0;
};

}  // namespace

LOADPILOT_PLUGIN("forecast-arima", "0.1.0", "Seasonal ARIMA forecasters", Arima)
