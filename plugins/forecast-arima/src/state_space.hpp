// The ARIMA model in the state-space form R's arima() uses (Harvey 1989;
// Gardner, Harvey and Phillips 1980): the ARMA part in r = max(p, q + 1)
// states with the stationary covariance as its prior, and the differencing as
// nd lagged observations with a diffuse prior. The observation carries no
// noise, so a missing value is simply not used to update the state.
//
// Variances are in units of the innovation variance (sigma^2 = 1), so the
// likelihood's sigma^2 can be concentrated out.
#pragma once

#include <armadillo>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace lp::forecast {

// What one pass of the filter adds to the concentrated Gaussian likelihood.
struct FilterSums {
  double ssq = 0;      // sum of v^2 / F
  double sumlog = 0;   // sum of log F
  std::size_t nu = 0;  // observations that count (not missing, not diffuse)
};

class StateSpace {
 public:
  // phi[k] and theta[k] are the (expanded) AR and MA coefficients of lag
  // k + 1; delta[k] those of the differencing operator: y_t = sum delta_k
  // y_{t-k-1} + arma_t.
  StateSpace(std::vector<double> phi, std::vector<double> theta, std::vector<double> delta);

  std::size_t size() const { return r_ + delta_.size(); }

  // The prior for the first observation: zero mean, the stationary ARMA
  // covariance, `kappa` on the lagged observations.
  void initialise(arma::vec& a, arma::mat& P) const;

  // Runs over x (values already freed of the mean or drift), starting from
  // the prediction (a, P) for x[0] and leaving the prediction for the step
  // after the last one. With `steady`, the gain is frozen once P settles
  // (then each step costs O(r) instead of O(r^2)).
  FilterSums run(std::span<const double> x, std::span<const std::uint8_t> valid, arma::vec& a,
                 arma::mat& P, bool steady) const;

  // The stationary covariance of the ARMA block.
  arma::mat stationary_covariance() const;

  // The likelihood sums of the ARMA model alone (no differencing) over a
  // series without missing values, from the stationary prior, by the
  // Chandrasekhar recursions (Morf, Sidhu and Kailath 1974; Herbst 2015):
  // with a stationary prior P_{t+1} - P_t stays of rank one, so each step
  // costs O(r) instead of the Riccati update's O(r^2). Same sums as run().
  FilterSums run_stationary(std::span<const double> x) const;

  // One step ahead without an observation: a = T a, P = T P T' + V.
  void predict(arma::vec& a, arma::mat& P) const;

  // Buffers for predict() reused across steps (a large state would
  // otherwise allocate and fault in megabytes each step).
  struct Workspace {
    arma::vec a;
    arma::mat tp, tpt;
  };
  void predict(arma::vec& a, arma::mat& P, Workspace& ws) const;

  // The observation's mean and variance for the prediction (a, P).
  double observe_mean(const arma::vec& a) const;
  double observe_variance(const arma::mat& P) const;

 private:
  // y = T x for vectors laid out with strides (columns or rows of a matrix).
  void apply_t(const double* x, std::size_t xs, double* y, std::size_t ys) const;
  arma::vec pz(const arma::mat& P) const;  // P Z'

  std::size_t r_;
  std::vector<double> phi_;   // padded to r
  std::vector<double> rvec_;  // (1, theta_1, ..., theta_{r-1})
  std::vector<double> delta_;
  std::vector<std::pair<std::size_t, double>> phi_nz_, r_nz_, delta_nz_;
};

}  // namespace lp::forecast
