// Exponential smoothing state-space models (Hyndman, Koehler, Ord and Snyder
// 2008): error additive or multiplicative, trend none, additive or damped,
// season none, additive or multiplicative. Smoothing parameters are fitted by
// maximum likelihood (Nelder-Mead on logistic-bounded parameters); initial
// states come from a classical decomposition of the first seasons; the model
// is chosen by AICc. Prediction intervals are simulated from the fitted model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace lp::forecast {

enum class Trend { kNone, kAdditive, kDamped };
enum class Season { kNone, kAdditive, kMultiplicative };

struct EtsSpec {
  bool multiplicative_error = false;
  Trend trend = Trend::kNone;
  Season season = Season::kNone;
  std::size_t m = 1;         // season length in steps (1 without a season)
  std::string name() const;  // "ETS(A,Ad,M)"
  bool operator==(const EtsSpec&) const = default;
};

struct EtsParams {
  double alpha = 0.3;
  double beta = 0;
  double gamma = 0;
  double phi = 1;
};

struct EtsState {
  double level = 0;
  double trend = 0;
  std::vector<double> season;  // ring of m: season[t % m] is the one for time t
};

struct EtsFit {
  EtsSpec spec;
  EtsParams params;
  EtsState initial;
  EtsState final;        // after the last observation
  std::size_t n = 0;     // observations seen (valid or not): the time index of the next step
  std::size_t used = 0;  // valid observations
  double sigma = 0;      // of the errors (relative for a multiplicative error)
  double aicc = 0;
};

// Which models `fit_auto` tries; "auto" per field by default.
struct EtsChoice {
  std::string error = "auto";   // "A", "M" or "auto"
  std::string trend = "auto";   // "N", "A", "Ad" or "auto"
  std::string season = "auto";  // "N", "A", "M" or "auto"
};

// Fits one model. Throws std::invalid_argument when the data cannot carry it.
EtsFit fit_ets(std::span<const double> y, std::span<const std::uint8_t> valid, const EtsSpec& spec);

// Fits every allowed model and returns the one with the lowest AICc.
EtsFit fit_auto(std::span<const double> y, std::span<const std::uint8_t> valid, std::size_t m,
                const EtsChoice& choice = {});

// Runs the fitted parameters over more observations (no re-estimation).
void extend(EtsFit& fit, std::span<const double> y, std::span<const std::uint8_t> valid);

// Point forecasts for the next h steps.
std::vector<double> point_forecast(const EtsFit& fit, std::size_t h);

// Simulated quantiles: h rows of levels.size() values, row-major.
std::vector<double> simulate_quantiles(const EtsFit& fit, std::size_t h,
                                       std::span<const double> levels, std::size_t paths,
                                       std::uint64_t seed);

nlohmann::json to_json(const EtsFit& fit);
EtsFit ets_from_json(const nlohmann::json& j);

}  // namespace lp::forecast
