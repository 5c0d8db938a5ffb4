// Prophet's decomposable model (Taylor and Letham 2018, the Stan model of
// PyPI `prophet` 1.x): y = (trend(t) * (1 + S_mult(t)) + S_add(t)) * E(t)
// + noise, with
//  - trend: piecewise linear, k + sum of rate changes delta_j after the
//    changepoints c_j (placed evenly over the first 80 % of the history),
//    delta_j ~ Laplace(0, tau): fitted as an L1 term by OWL-QN;
//  - seasonalities: Fourier series in days since the Unix epoch (daily,
//    weekly, yearly, chosen by the history's span as Prophet does), betas
//    ~ N(0, 10), additive or multiplicative;
//  - events: one factor per named event of the history, E(t) = product of
//    exp(b_e) over the events covering t, b_e ~ N(log plan multiplier, s).
// y is scaled by max |y| and t to [0, 1] over the valid history, as Prophet
// does; masked values are left out of the likelihood. The MAP estimate comes
// from liblbfgs' OWL-QN for all but sigma at a fixed sigma, with
// Gauss-Newton steps (Armadillo) on the non-zero parameters between runs,
// alternated with sigma's closed-form optimum given the residuals: at a
// fixed sigma the problem stays well conditioned, even when a noiseless fit
// drives sigma towards 0. Intervals simulate future changepoints and noise,
// as Prophet's predictive sampling does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace lp::forecast {

struct ProphetSettings {
  bool multiplicative = false;      // seasonality mode
  std::size_t n_changepoints = 25;  // Prophet's n_changepoints
  double changepoint_range = 0.8;   // share of the history they cover
  double changepoint_prior_scale = 0.05;
  double seasonality_prior_scale = 10;
  double event_prior_scale = 10;  // of the log multiplier
  int yearly = -1;                // -1 auto, 0 off, n > 0: Fourier order n
  int weekly = -1;
  int daily = -1;
  std::size_t max_iterations = 2000;  // per L-BFGS run
};

struct Seasonality {
  std::string name;
  double period_days = 1;
  int order = 1;
};

// One occurrence of a named event, in the history or the horizon.
struct EventSpan {
  std::string name;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  double multiplier = 1;
};

struct ProphetParams {
  double k = 0;
  double m = 0;
  std::vector<double> delta;  // per changepoint
  std::vector<double> beta;   // per Fourier column
  std::vector<double> event;  // log multiplier per learned event
  double sigma = 1;           // of the scaled noise
};

struct ProphetFit {
  ProphetSettings settings;
  std::int64_t step_ns = 0;
  std::int64_t t0_ns = 0;            // time of the first valid value: t = 0
  double t_scale_ns = 1;             // first to last valid value: t = 1
  double y_scale = 1;                // max |y|
  std::vector<double> changepoints;  // scaled times
  std::vector<Seasonality> seasonalities;
  std::vector<std::string> event_names;  // learned events, in parameter order
  ProphetParams params;
  std::size_t used = 0;         // valid values fitted
  int status = 0;               // liblbfgs' last return code (for diagnostics)
  std::size_t evaluations = 0;  // objective evaluations in the last fit
};

// The history as the model sees it (events kept, not divided out).
struct ProphetData {
  std::int64_t start_ns = 0;
  std::int64_t step_ns = 0;
  std::vector<double> values;
  std::vector<std::uint8_t> valid;
  std::vector<EventSpan> events;
};

// Fits the model; `warm` (a previous fit of a prefix of the same data) seeds
// the optimiser. Throws std::invalid_argument when the data cannot carry it.
ProphetFit fit_prophet(const ProphetData& data, const ProphetSettings& settings,
                       const ProphetFit* warm = nullptr);

// The point forecast (Prophet's yhat) at `times`, events applied: a learned
// event by its fitted factor, any other by its plan multiplier.
std::vector<double> prophet_mean(const ProphetFit& fit, std::span<const std::int64_t> times,
                                 std::span<const EventSpan> events);

// Quantiles from `paths` simulated futures (new changepoints at the fitted
// rate with Laplace deltas of the fitted mean size, plus Gaussian noise):
// times.size() rows of levels.size() values, row-major. Deterministic in seed.
std::vector<double> prophet_quantiles(const ProphetFit& fit, std::span<const std::int64_t> times,
                                      std::span<const EventSpan> events,
                                      std::span<const double> levels, std::size_t paths,
                                      std::uint64_t seed);

nlohmann::json to_json(const ProphetFit& fit);
ProphetFit prophet_from_json(const nlohmann::json& j);

}  // namespace lp::forecast
