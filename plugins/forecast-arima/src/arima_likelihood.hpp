// The likelihoods an ARIMA fit minimises, over a vector of unconstrained
// parameters: per polynomial the tanh-transformed partial autocorrelations
// (so every candidate is stationary and invertible, as R's transform.pars),
// then the mean of the differenced series in units of its spread.
#pragma once

#include <cstddef>
#include <vector>

#include "arima_model.hpp"
#include "differencing.hpp"
#include "state_space.hpp"

namespace lp::forecast {

struct ArmaCoefficients {
  std::vector<double> ar, ma, sar, sma;
  double mean = 0;  // of the differenced series
};

// (1 - sum a_k B^k)(1 - sum A_k B^{mk}) as y_t = sum phi_k y_{t-k}: phi[k-1].
std::vector<double> expand_ar(const std::vector<double>& ar, const std::vector<double>& sar,
                              std::size_t m);
// (1 + sum b_k B^k)(1 + sum B_k B^{mk}): theta[k-1].
std::vector<double> expand_ma(const std::vector<double>& ma, const std::vector<double>& sma,
                              std::size_t m);

// auto.arima's rule: every root of the expanded AR and MA polynomials
// outside 1.01 (else the model sits on the edge of stationarity or
// invertibility and is not used).
bool roots_clear(const ArmaCoefficients& c, std::size_t m);

class ArmaProblem {
 public:
  // w: the differenced series.
  ArmaProblem(const Masked& w, const ArimaOrder& order);

  std::size_t dimension() const;
  std::size_t conditioning() const { return order_.p + order_.m * order_.P; }
  ArmaCoefficients unpack(const std::vector<double>& raw) const;
  std::vector<double> start() const;  // zero coefficients, the sample mean

  // 0.5 log(sigma^2) of the conditional residuals; nu the residuals counted.
  double css(const std::vector<double>& raw, std::size_t* nu = nullptr) const;
  // The concentrated exact likelihood, 0.5 (log sigma^2 + sum log F / nu).
  double exact(const std::vector<double>& raw, FilterSums* sums = nullptr) const;

  std::size_t valid_count() const { return valid_; }

 private:
  const Masked& w_;
  ArimaOrder order_;
  double scale_ = 1;  // spread of w: the mean's unit
  double mean_ = 0;
  std::size_t valid_ = 0;
};

}  // namespace lp::forecast
