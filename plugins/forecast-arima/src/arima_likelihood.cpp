#include "arima_likelihood.hpp"

#include <armadillo>
#include <cmath>

namespace lp::forecast {

namespace {

constexpr double kFloor = 1e-300;  // sigma^2 of a noiseless fit
constexpr double kRootMargin = 1.01;
constexpr double kBad = 1e10;

// tanh of the raw values as partial autocorrelations, through the
// Durbin-Levinson recursion to AR coefficients (R's partrans).
std::vector<double> partrans(const double* raw, std::size_t p) {
  std::vector<double> next(p), work(p);
  for (std::size_t j = 0; j < p; ++j) work[j] = next[j] = std::tanh(raw[j]);
  for (std::size_t j = 1; j < p; ++j) {
    const double a = next[j];
    for (std::size_t k = 0; k < j; ++k) work[k] -= a * next[j - k - 1];
    for (std::size_t k = 0; k < j; ++k) next[k] = work[k];
  }
  return next;
}

std::vector<std::pair<std::size_t, double>> nonzeros(const std::vector<double>& v) {
  std::vector<std::pair<std::size_t, double>> nz;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != 0) nz.emplace_back(i + 1, v[i]);  // (lag, coefficient)
  }
  return nz;
}

// Every root of 1 + sign * sum c_k x^k outside `bound`.
bool clear(const std::vector<double>& c, double sign, double bound) {
  std::size_t degree = c.size();
  while (degree > 0 && std::fabs(c[degree - 1]) < 1e-8) --degree;
  if (degree == 0) return true;
  arma::vec poly(degree + 1);  // highest power first
  for (std::size_t k = 0; k < degree; ++k) poly[k] = sign * c[degree - 1 - k];
  poly[degree] = 1;
  const arma::cx_vec roots = arma::roots(poly);
  return arma::abs(roots).min() > bound;
}

}  // namespace

std::vector<double> expand_ar(const std::vector<double>& ar, const std::vector<double>& sar,
                              std::size_t m) {
  std::vector<double> phi(ar.size() + m * sar.size(), 0.0);
  for (std::size_t i = 0; i < ar.size(); ++i) phi[i] += ar[i];
  for (std::size_t j = 0; j < sar.size(); ++j) {
    phi[m * (j + 1) - 1] += sar[j];
    for (std::size_t i = 0; i < ar.size(); ++i) phi[i + m * (j + 1)] -= ar[i] * sar[j];
  }
  return phi;
}

std::vector<double> expand_ma(const std::vector<double>& ma, const std::vector<double>& sma,
                              std::size_t m) {
  std::vector<double> theta(ma.size() + m * sma.size(), 0.0);
  for (std::size_t i = 0; i < ma.size(); ++i) theta[i] += ma[i];
  for (std::size_t j = 0; j < sma.size(); ++j) {
    theta[m * (j + 1) - 1] += sma[j];
    for (std::size_t i = 0; i < ma.size(); ++i) theta[i + m * (j + 1)] += ma[i] * sma[j];
  }
  return theta;
}

bool roots_clear(const ArmaCoefficients& c, std::size_t m) {
  const double seasonal = std::pow(kRootMargin, static_cast<double>(m));
  return clear(c.ar, -1, kRootMargin) && clear(c.ma, 1, kRootMargin) &&
         clear(c.sar, -1, seasonal) && clear(c.sma, 1, seasonal);
}

ArmaProblem::ArmaProblem(const Masked& w, const ArimaOrder& order) : w_(w), order_(order) {
  double sum = 0, sq = 0;
  for (std::size_t t = 0; t < w.values.size(); ++t) {
    if (!w.valid[t]) continue;
    ++valid_;
    sum += w.values[t];
    sq += w.values[t] * w.values[t];
  }
  if (valid_ > 0) {
    mean_ = sum / static_cast<double>(valid_);
    const double var = sq / static_cast<double>(valid_) - mean_ * mean_;
    scale_ = var > 0 ? std::sqrt(var) : 1;
  }
}

std::size_t ArmaProblem::dimension() const {
  return order_.p + order_.q + order_.P + order_.Q + (order_.constant ? 1 : 0);
}

std::vector<double> ArmaProblem::start() const {
  return std::vector<double>(dimension(), 0.0);
}

ArmaCoefficients ArmaProblem::unpack(const std::vector<double>& raw) const {
  ArmaCoefficients c;
  const double* x = raw.data();
  c.ar = partrans(x, order_.p);
  x += order_.p;
  c.ma = partrans(x, order_.q);
  for (double& v : c.ma) v = -v;  // 1 + theta B invertible <=> 1 - (-theta) B stationary
  x += order_.q;
  c.sar = partrans(x, order_.P);
  x += order_.P;
  c.sma = partrans(x, order_.Q);
  for (double& v : c.sma) v = -v;
  x += order_.Q;
  c.mean = order_.constant ? mean_ + scale_ * *x : 0.0;
  return c;
}

double ArmaProblem::css(const std::vector<double>& raw, std::size_t* nu_out) const {
  const ArmaCoefficients c = unpack(raw);
  const auto phi = nonzeros(expand_ar(c.ar, c.sar, order_.m));
  const auto theta = nonzeros(expand_ma(c.ma, c.sma, order_.m));
  const std::size_t n = w_.values.size();
  std::vector<double> e(n, 0.0);  // conditional residuals: zero before the start
  double ssq = 0;
  std::size_t nu = 0;
  for (std::size_t t = conditioning(); t < n; ++t) {
    if (!w_.valid[t]) continue;
    double v = w_.values[t] - c.mean;
    bool ok = true;
    for (const auto& [lag, coef] : phi) {
      if (!w_.valid[t - lag]) {
        ok = false;
        break;
      }
      v -= coef * (w_.values[t - lag] - c.mean);
    }
    if (!ok) continue;  // a residual that needs a missing value stays zero
    for (const auto& [lag, coef] : theta) {
      if (lag <= t) v -= coef * e[t - lag];
    }
    e[t] = v;
    ssq += v * v;
    ++nu;
  }
  if (nu_out) *nu_out = nu;
  if (nu == 0) return kBad;
  return 0.5 * std::log(std::max(ssq / static_cast<double>(nu), kFloor));
}

double ArmaProblem::exact(const std::vector<double>& raw, FilterSums* sums_out) const {
  const ArmaCoefficients c = unpack(raw);
  const StateSpace ss(expand_ar(c.ar, c.sar, order_.m), expand_ma(c.ma, c.sma, order_.m), {});
  std::vector<double> x(w_.values.size());
  for (std::size_t t = 0; t < x.size(); ++t) x[t] = w_.values[t] - c.mean;
  FilterSums sums;
  if (valid_ == x.size()) {
    sums = ss.run_stationary(x);
  } else {  // missing values: the full Riccati filter skips them
    arma::vec a;
    arma::mat P;
    ss.initialise(a, P);
    sums = ss.run(x, w_.valid, a, P, true);
  }
  if (sums_out) *sums_out = sums;
  if (sums.nu == 0) return kBad;
  const double nu = static_cast<double>(sums.nu);
  return 0.5 * (std::log(std::max(sums.ssq / nu, kFloor)) + sums.sumlog / nu);
}

}  // namespace lp::forecast
