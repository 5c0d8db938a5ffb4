#include "state_space.hpp"

#include <algorithm>
#include <cmath>

namespace lp::forecast {

namespace {

constexpr double kKappa = 1e6;    // the diffuse prior's variance (R's default)
constexpr double kDiffuse = 1e4;  // F above this: the observation is still diffuse
constexpr double kSettled = 1e-9;

std::vector<std::pair<std::size_t, double>> nonzeros(const std::vector<double>& v) {
  std::vector<std::pair<std::size_t, double>> nz;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != 0) nz.emplace_back(i, v[i]);
  }
  return nz;
}

// max |P - Q| <= kSettled (1 + max |P|), without temporaries.
bool settled(const arma::mat& P, const arma::mat& Q) {
  double diff = 0, size = 0;
  const double* p = P.memptr();
  const double* q = Q.memptr();
  for (std::size_t i = 0; i < P.n_elem; ++i) {
    diff = std::max(diff, std::fabs(p[i] - q[i]));
    size = std::max(size, std::fabs(p[i]));
  }
  return diff <= kSettled * (1 + size);
}

}  // namespace

StateSpace::StateSpace(std::vector<double> phi, std::vector<double> theta,
                       std::vector<double> delta)
    : r_(std::max(phi.size(), theta.size() + 1)),
      phi_(std::move(phi)),
      rvec_(r_, 0.0),
      delta_(std::move(delta)) {
  phi_.resize(r_, 0.0);
  rvec_[0] = 1;
  std::copy(theta.begin(), theta.end(), rvec_.begin() + 1);
  phi_nz_ = nonzeros(phi_);
  r_nz_ = nonzeros(rvec_);
  delta_nz_ = nonzeros(delta_);
}

void StateSpace::apply_t(const double* x, std::size_t xs, double* y, std::size_t ys) const {
  for (std::size_t i = 0; i + 1 < r_; ++i) y[i * ys] = x[(i + 1) * xs];
  y[(r_ - 1) * ys] = 0;
  const double x0 = x[0];
  for (const auto& [k, c] : phi_nz_) y[k * ys] += c * x0;
  if (delta_.empty()) return;
  double lag1 = x0;  // the new observation enters the lags
  for (const auto& [k, c] : delta_nz_) lag1 += c * x[(r_ + k) * xs];
  y[r_ * ys] = lag1;
  for (std::size_t k = 1; k < delta_.size(); ++k) y[(r_ + k) * ys] = x[(r_ + k - 1) * xs];
}

// The stationary covariance Q = T Q T' + R R' of the ARMA block in O(r^2)
// (after one small solve): the autocovariances gamma and the psi weights
// give the first row, Q[0][j] = Cov(y_t, alpha_t[j]); then, as
// alpha_t[i] = phi_i y_{t-1} + alpha_{t-1}[i+1] + R_i e_t, every other entry
// follows from the one below and right of it.
arma::mat StateSpace::stationary_covariance() const {
  const std::size_t r = r_;
  std::size_t p = r;  // the AR order that matters
  while (p > 0 && phi_[p - 1] == 0) --p;
  std::vector<double> psi(r + 1, 0.0);  // Cov(y_t, e_{t-j})
  for (std::size_t j = 0; j <= r; ++j) {
    psi[j] = j < r ? rvec_[j] : 0.0;
    for (std::size_t k = 1; k <= std::min(j, p); ++k) psi[j] += phi_[k - 1] * psi[j - k];
  }
  const auto ma_part = [&](std::size_t h) {  // sum_{j >= h} theta_j psi_{j-h}
    double s = 0;
    for (std::size_t j = h; j < r; ++j) s += rvec_[j] * psi[j - h];
    return s;
  };
  // gamma(h) - sum_k phi_k gamma(|h - k|) = ma_part(h), h = 0..p.
  arma::mat A(p + 1, p + 1, arma::fill::zeros);
  arma::vec b(p + 1);
  for (std::size_t h = 0; h <= p; ++h) {
    A(h, h) += 1;
    for (std::size_t k = 1; k <= p; ++k) A(h, h > k ? h - k : k - h) -= phi_[k - 1];
    b[h] = ma_part(h);
  }
  arma::vec g;
  if (!arma::solve(g, A, b)) g = arma::vec(p + 1, arma::fill::value(1e10));
  std::vector<double> gamma(g.begin(), g.end());
  gamma.resize(r + 1, 0.0);
  for (std::size_t h = p + 1; h <= r; ++h) {
    double s = ma_part(h);
    for (std::size_t k = 1; k <= p; ++k) s += phi_[k - 1] * gamma[h - k];
    gamma[h] = s;
  }
  arma::mat q(r, r, arma::fill::zeros);
  for (std::size_t j = 0; j < r; ++j) {
    double s = 0;
    for (std::size_t k = 0; j + k < r; ++k) s += phi_[j + k] * gamma[k + 1] + rvec_[j + k] * psi[k];
    q(0, j) = q(j, 0) = s;
  }
  for (std::size_t i = r - 1; i >= 1; --i) {
    for (std::size_t j = r - 1; j >= i; --j) {
      const double below = i + 1 < r && j + 1 < r ? q(i + 1, j + 1) : 0.0;
      const double row_i = i + 1 < r ? q(0, i + 1) : 0.0, row_j = j + 1 < r ? q(0, j + 1) : 0.0;
      q(i, j) = q(j, i) = phi_[i] * phi_[j] * gamma[0] + phi_[i] * row_j + phi_[j] * row_i + below +
                          rvec_[i] * rvec_[j];
    }
  }
  return q;
}

void StateSpace::initialise(arma::vec& a, arma::mat& P) const {
  const std::size_t s = size();
  a.zeros(s);
  P.zeros(s, s);
  const arma::mat q = stationary_covariance();
  P.submat(0, 0, r_ - 1, r_ - 1) = q;
  for (std::size_t k = 0; k < delta_.size(); ++k) P(r_ + k, r_ + k) = kKappa;
}

void StateSpace::predict(arma::vec& a, arma::mat& P) const {
  Workspace ws;
  predict(a, P, ws);
}

void StateSpace::predict(arma::vec& a, arma::mat& P, Workspace& ws) const {
  const std::size_t s = size();
  ws.a.set_size(s);
  apply_t(a.memptr(), 1, ws.a.memptr(), 1);
  std::swap(a, ws.a);
  ws.tp.set_size(s, s);
  ws.tpt.set_size(s, s);
  for (std::size_t j = 0; j < s; ++j) apply_t(P.colptr(j), 1, ws.tp.colptr(j), 1);  // T P
  for (std::size_t i = 0; i < s; ++i)
    apply_t(ws.tp.memptr() + i, s, ws.tpt.memptr() + i, s);  // (T P) T'
  for (const auto& [i, ri] : r_nz_) {
    for (const auto& [j, rj] : r_nz_) ws.tpt(i, j) += ri * rj;
  }
  std::swap(P, ws.tpt);
}

arma::vec StateSpace::pz(const arma::mat& P) const {
  arma::vec v = P.col(0);
  for (const auto& [k, c] : delta_nz_) v += c * P.col(r_ + k);
  return v;
}

double StateSpace::observe_mean(const arma::vec& a) const {
  double m = a[0];
  for (const auto& [k, c] : delta_nz_) m += c * a[r_ + k];
  return m;
}

double StateSpace::observe_variance(const arma::mat& P) const {
  const arma::vec v = pz(P);
  double f = v[0];
  for (const auto& [k, c] : delta_nz_) f += c * v[r_ + k];
  return f;
}

FilterSums StateSpace::run(std::span<const double> x, std::span<const std::uint8_t> valid,
                           arma::vec& a, arma::mat& P, bool steady) const {
  FilterSums sums;
  const auto count = [&sums](double v, double f) {
    if (f < kDiffuse) {
      sums.ssq += v * v / f;
      sums.sumlog += std::log(f);
      ++sums.nu;
    }
  };
  bool frozen = false;
  arma::vec gain, scratch(size());
  double frozen_f = 0;
  arma::mat previous;
  Workspace ws;
  for (std::size_t t = 0; t < x.size(); ++t) {
    const bool ok = valid[t] != 0;
    if (frozen && ok) {  // the steady-state filter: P no longer changes
      const double v = x[t] - observe_mean(a);
      count(v, frozen_f);
      scratch = a + gain * v;
      apply_t(scratch.memptr(), 1, a.memptr(), 1);
      continue;
    }
    frozen = false;  // a missing value moves P off its steady state
    if (steady) previous = P;
    if (ok) {
      const arma::vec k = pz(P);
      double f = k[0];
      for (const auto& [j, c] : delta_nz_) f += c * k[r_ + j];
      if (f > 1e-12) {
        const double v = x[t] - observe_mean(a);
        count(v, f);
        a += k * (v / f);
        for (std::size_t j = 0; j < P.n_cols; ++j) {  // P -= k k' / f, in place
          const double kj = k[j] / f;
          double* col = P.colptr(j);
          for (std::size_t i = 0; i < P.n_rows; ++i) col[i] -= k[i] * kj;
        }
      }
    }
    predict(a, P, ws);
    if (steady && ok && t > 0 && settled(P, previous)) {
      gain = pz(P);
      frozen_f = gain[0];
      for (const auto& [j, c] : delta_nz_) frozen_f += c * gain[r_ + j];
      gain /= frozen_f;
      frozen = frozen_f < kDiffuse;
    }
  }
  return sums;
}

FilterSums StateSpace::run_stationary(std::span<const double> x) const {
  // P_t is never formed: F_t = Z P_t Z', the gain K_t = T P_t Z' and the
  // rank-one increment P_{t+1} - P_t = M_t W_t W_t' are carried instead.
  FilterSums sums;
  const arma::mat q = stationary_covariance();
  const std::size_t r = r_;
  std::vector<double> a(r, 0.0), next(r), k(r), w(r), tw(r);
  apply_t(q.colptr(0), 1, k.data(), 1);
  double f = q(0, 0);
  w = k;
  double m = -1 / f;
  for (std::size_t t = 0; t < x.size(); ++t) {
    if (!(f > 1e-12)) break;
    const double v = x[t] - a[0];
    sums.ssq += v * v / f;
    sums.sumlog += std::log(f);
    ++sums.nu;
    apply_t(a.data(), 1, next.data(), 1);
    for (std::size_t i = 0; i < r; ++i) a[i] = next[i] + k[i] * (v / f);
    const double zw = w[0];
    const double f_next = f + m * zw * zw;
    apply_t(w.data(), 1, tw.data(), 1);
    for (std::size_t i = 0; i < r; ++i) k[i] += tw[i] * (m * zw);
    for (std::size_t i = 0; i < r; ++i) w[i] = tw[i] - k[i] * (zw / f_next);
    m += m * m * zw * zw / f;
    f = f_next;
  }
  return sums;
}

}  // namespace lp::forecast
