// forecaster "seasonal-naive": tomorrow is today. Every step repeats the
// value one season earlier (the last value when there is no season); the
// intervals are normal with the in-sample seasonal-difference deviation,
// widening with the number of seasons ahead. The baseline every model must
// beat (M4's "Seasonal naive").
#include <algorithm>
#include <cmath>
#include <loadpilot/sdk.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "history.hpp"
#include "normal.hpp"

namespace {

using lp::sdk::Error;
using nlohmann::json;
namespace fc = lp::forecast;

class SeasonalNaive {
 public:
  static constexpr lp_kind kind = LP_KIND_FORECASTER;
  static constexpr const char* type_name = "seasonal-naive";
  static constexpr const char* description =
      "Repeats the last season (the baseline); normal intervals from seasonal differences";
  static constexpr const char* config_schema = R"json({
    "type": "object",
    "properties": {
      "season": {"type": "integer", "minimum": 0, "maximum": 100000,
                 "description": "season length in steps; default one day of steps, 0 for none"}
    },
    "additionalProperties": false
  })json";

  SeasonalNaive(const lp::sdk::Host&, std::string_view config) : config_(json::parse(config)) {}

  void fit(const lp::sdk::Series& history, std::span<const lp::sdk::Event> events) {
    history_ = fc::prepare_history(history, events);
    season_ = fc::season_length(config_, history_.step_ns);
    estimate();
  }

  void update(const lp::sdk::Series& more) {
    if (history_.values.empty()) throw Error("update before fit", LP_ERR_INVALID_ARGUMENT);
    fc::append_history(history_, more, {});
    estimate();
  }

  lp::sdk::Forecast predict(std::size_t horizon, std::span<const double> quantiles,
                            std::span<const lp::sdk::Event> events) {
    if (last_.empty()) throw Error("predict before fit", LP_ERR_INVALID_ARGUMENT);
    lp::sdk::Forecast f;
    f.start_ns = end_ns_;
    f.step_ns = step_ns_;
    f.quantile_count = quantiles.size();
    std::vector<double> z;
    for (const double q : quantiles) z.push_back(fc::normal_quantile(q));
    const auto factors = fc::horizon_factors(end_ns_, step_ns_, horizon, events);
    const std::size_t m = last_.size();
    for (std::size_t h = 1; h <= horizon; ++h) {
      const double mean = last_[(h - 1) % m] * factors[h - 1];
      const double k = m > 1 ? std::floor(static_cast<double>(h - 1) / static_cast<double>(m)) + 1
                             : static_cast<double>(h);
      const double sd = sigma_ * std::sqrt(k) * factors[h - 1];
      f.mean.push_back(mean);
      for (const double zq : z) f.quantiles.push_back(mean + zq * sd);
    }
    return f;
  }

  std::string save() const {
    return json{{"model", type_name}, {"season", season_}, {"sigma", sigma_},
                {"last", last_},      {"end_ns", end_ns_}, {"step_ns", step_ns_}}
        .dump();
  }

  void load(std::string_view state) {
    const json s = json::parse(state, nullptr, false);
    if (s.is_discarded() || s.value("model", "") != type_name) {
      throw Error("not a saved seasonal-naive state", LP_ERR_INVALID_ARGUMENT);
    }
    season_ = s.at("season").get<std::size_t>();
    sigma_ = s.at("sigma").get<double>();
    last_ = s.at("last").get<std::vector<double>>();
    end_ns_ = s.at("end_ns").get<std::int64_t>();
    step_ns_ = s.at("step_ns").get<std::int64_t>();
    history_ = {};
  }

 private:
  // The last season (gaps filled from earlier seasons) and the deviation of
  // the lag-m differences.
  void estimate() {
    const auto& y = history_.values;
    const auto& ok = history_.valid;
    const std::size_t m = std::max<std::size_t>(season_, 1);
    const std::size_t n = y.size();
    if (n < m + 2 || history_.valid_count() < m + 2) {
      throw Error("history too short: seasonal-naive needs more than one season (" +
                      std::to_string(m + 2) + " valid values), got " +
                      std::to_string(history_.valid_count()),
                  LP_ERR_INVALID_ARGUMENT);
    }
    last_.assign(m, std::nan(""));
    for (std::size_t j = 0; j < m; ++j) {
      for (std::size_t i = n - m + j; i < n; i -= m) {  // walks back one season at a time
        if (ok[i]) {
          last_[j] = y[i];
          break;
        }
        if (i < m) break;
      }
    }
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t i = m; i < n; ++i) {
      if (ok[i] && ok[i - m]) {
        sum += (y[i] - y[i - m]) * (y[i] - y[i - m]);
        ++count;
      }
    }
    if (count == 0 ||
        std::any_of(last_.begin(), last_.end(), [](double v) { return std::isnan(v); })) {
      throw Error("history too short: every step of the season needs a valid value",
                  LP_ERR_INVALID_ARGUMENT);
    }
    sigma_ = std::sqrt(sum / static_cast<double>(count));
    end_ns_ = history_.end_ns();
    step_ns_ = history_.step_ns;
  }

  json config_;
  fc::History history_;
  std::size_t season_ = 0;
  std::vector<double> last_;
  double sigma_ = 0;
  std::int64_t end_ns_ = 0;
  std::int64_t step_ns_ = 0;
};

}  // namespace

LOADPILOT_PLUGIN("forecast-naive", "0.1.0", "Seasonal naive forecaster (the baseline)",
                 SeasonalNaive)
