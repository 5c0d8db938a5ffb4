// Seasonal ARIMA(p,d,q)(P,D,Q)_m with a mean (d + D = 0) or a drift
// (d + D = 1), chosen as forecast::auto.arima does (Hyndman and Khandakar
// 2008): D by the seasonal-strength rule, d by repeated KPSS tests, then a
// stepwise search over p, q, P, Q and the constant by an information
// criterion of conditional-sum-of-squares fits (auto.arima's approximation
// for long or high-frequency series). The chosen model is refitted by exact
// Gaussian maximum likelihood through the Kalman filter on the state-space
// form (state_space.hpp), starting from the CSS estimates; masked values are
// skipped by the filter. Intervals come from the state-space forecast
// variance. Coefficients are kept stationary and invertible by the
// partial-autocorrelation (tanh) reparameterisation R's arima uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lp::forecast {

struct ArimaOrder {
  std::size_t p = 0, d = 0, q = 0;
  std::size_t P = 0, D = 0, Q = 0;
  std::size_t m = 1;         // season length (1: no seasonal part)
  bool constant = false;     // the mean (d + D = 0) or the drift (d + D = 1)
  std::string name() const;  // "ARIMA(2,0,1)(0,1,1)[24] with drift"
  bool operator==(const ArimaOrder&) const = default;
};

enum class InformationCriterion { kAicc, kAic, kBic };

struct ArimaFit {
  ArimaOrder order;
  std::vector<double> ar, ma, sar, sma;  // phi_1.., theta_1.., Phi_1.., Theta_1..
  double constant = 0;                   // the mean or the drift per step
  double sigma2 = 0;                     // innovation variance
  double loglik = 0, aic = 0, aicc = 0, bic = 0;
  std::size_t nobs = 0;  // observations in the likelihood
  // The filter's prediction for time index n (of the original series).
  std::size_t n = 0;
  std::vector<double> a;
  std::vector<double> P;         // size() x size(), column-major
  std::size_t models_tried = 0;  // by the search (1 for a fixed order)
};

struct ArimaSearch {
  std::size_t max_p = 5, max_q = 5, max_P = 2, max_Q = 2, max_d = 2, max_D = 1;
  std::optional<std::size_t> d, D;  // fixed differencing
  bool allow_constant = true;
  InformationCriterion ic = InformationCriterion::kAicc;
  std::size_t max_models = 94;  // auto.arima's default bound on the stepwise search
  // Refit the chosen model by exact likelihood; without it the CSS estimates
  // stand (the filter still gives the exact forecast variance).
  bool exact = true;
};

// Fits one order by exact maximum likelihood. Throws std::invalid_argument
// when the data cannot carry it.
ArimaFit fit_arima(std::span<const double> y, std::span<const std::uint8_t> valid,
                   const ArimaOrder& order);

// Chooses the differencing and the orders, then fits the chosen model.
ArimaFit auto_arima(std::span<const double> y, std::span<const std::uint8_t> valid, std::size_t m,
                    const ArimaSearch& search = {});

// Filters more observations through the fitted model (no re-estimation).
void extend(ArimaFit& fit, std::span<const double> y, std::span<const std::uint8_t> valid);

// The fitted coefficients filtered over y from the start (what fit_arima
// leaves, and what extend() must agree with).
ArimaFit refilter(const ArimaFit& fit, std::span<const double> y,
                  std::span<const std::uint8_t> valid);

struct ArimaForecast {
  std::vector<double> mean;
  std::vector<double> sd;  // of the forecast error
};
ArimaForecast forecast(const ArimaFit& fit, std::size_t h);

nlohmann::json to_json(const ArimaFit& fit);
ArimaFit arima_from_json(const nlohmann::json& j);

}  // namespace lp::forecast
