#include "differencing.hpp"

#include <algorithm>
#include <cmath>

namespace lp::forecast {

namespace {

constexpr double kKpssCritical5 = 0.463;     // level stationarity, 5 %
constexpr double kStrengthThreshold = 0.64;  // forecast::nsdiffs' "seas" rule

bool is_constant(std::span<const double> y, std::span<const std::uint8_t> valid) {
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!valid[i]) continue;
    lo = std::min(lo, y[i]);
    hi = std::max(hi, y[i]);
  }
  return !(hi > lo) || hi - lo <= 1e-10 * std::max(std::fabs(hi), std::fabs(lo));
}

double variance(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double mean = 0;
  for (const double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double s = 0;
  for (const double x : v) s += (x - mean) * (x - mean);
  return s / static_cast<double>(v.size() - 1);
}

}  // namespace

Masked difference(std::span<const double> y, std::span<const std::uint8_t> valid, std::size_t lag) {
  Masked out;
  if (y.size() <= lag) return out;
  out.values.resize(y.size() - lag);
  out.valid.resize(y.size() - lag);
  for (std::size_t t = lag; t < y.size(); ++t) {
    const bool ok = valid[t] && valid[t - lag];
    out.values[t - lag] = ok ? y[t] - y[t - lag] : 0.0;
    out.valid[t - lag] = ok ? 1 : 0;
  }
  return out;
}

Masked difference(std::span<const double> y, std::span<const std::uint8_t> valid, std::size_t d,
                  std::size_t D, std::size_t m) {
  Masked out{{y.begin(), y.end()}, {valid.begin(), valid.end()}};
  for (std::size_t i = 0; i < D; ++i) out = difference(out.values, out.valid, m);
  for (std::size_t i = 0; i < d; ++i) out = difference(out.values, out.valid, 1);
  return out;
}

std::vector<double> differencing_polynomial(std::size_t d, std::size_t D, std::size_t m) {
  std::vector<double> poly{1.0};                 // coefficients of B^0, B^1, ...
  const auto times = [&poly](std::size_t lag) {  // poly *= (1 - B^lag)
    std::vector<double> next(poly.size() + lag, 0.0);
    for (std::size_t i = 0; i < poly.size(); ++i) {
      next[i] += poly[i];
      next[i + lag] -= poly[i];
    }
    poly = std::move(next);
  };
  for (std::size_t i = 0; i < d; ++i) times(1);
  for (std::size_t i = 0; i < D; ++i) times(m);
  std::vector<double> delta(poly.size() - 1);
  for (std::size_t k = 1; k < poly.size(); ++k) delta[k - 1] = -poly[k];
  return delta;
}

double kpss_statistic(std::span<const double> y, std::span<const std::uint8_t> valid) {
  std::vector<double> e;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (valid[i]) e.push_back(y[i]);
  }
  const std::size_t n = e.size();
  if (n < 3) return 0;
  double mean = 0;
  for (const double v : e) mean += v;
  mean /= static_cast<double>(n);
  for (double& v : e) v -= mean;
  double eta = 0, partial = 0, s2 = 0;
  for (const double v : e) {
    partial += v;
    eta += partial * partial;
    s2 += v * v;
  }
  const auto lags = static_cast<std::size_t>(3 * std::sqrt(static_cast<double>(n)) / 13);
  for (std::size_t l = 1; l <= lags && l < n; ++l) {
    double c = 0;
    for (std::size_t t = l; t < n; ++t) c += e[t] * e[t - l];
    s2 += 2 * (1 - static_cast<double>(l) / static_cast<double>(lags + 1)) * c;
  }
  const double nn = static_cast<double>(n);
  if (!(s2 > 0)) return 0;
  return (eta / (nn * nn)) / (s2 / nn);
}

std::size_t choose_d(std::span<const double> y, std::span<const std::uint8_t> valid,
                     std::size_t max_d) {
  Masked x{{y.begin(), y.end()}, {valid.begin(), valid.end()}};
  std::size_t d = 0;
  if (is_constant(x.values, x.valid)) return 0;
  while (d < max_d && kpss_statistic(x.values, x.valid) > kKpssCritical5) {
    ++d;
    x = difference(x.values, x.valid, 1);
    if (is_constant(x.values, x.valid)) break;
  }
  return d;
}

double seasonal_strength(std::span<const double> y, std::span<const std::uint8_t> valid,
                         std::size_t m) {
  const std::size_t n = y.size();
  if (m < 2 || n < 2 * m + 1) return 0;
  // Centred moving average over one season (2 x m for an even m).
  const bool even = m % 2 == 0;
  const std::size_t half = m / 2;
  std::vector<double> detrended(n, 0.0);
  std::vector<std::uint8_t> ok(n, 0);
  for (std::size_t t = half; t + half < n; ++t) {
    double sum = 0;
    bool all = true;
    for (std::size_t k = t - half; k <= t + half && all; ++k) {
      all = valid[k] != 0;
      const double w = even && (k == t - half || k == t + half) ? 0.5 : 1.0;
      sum += w * y[k];
    }
    if (!all || !valid[t]) continue;
    detrended[t] = y[t] - sum / static_cast<double>(m);
    ok[t] = 1;
  }
  std::vector<double> profile(m, 0.0), count(m, 0.0);
  for (std::size_t t = 0; t < n; ++t) {
    if (!ok[t]) continue;
    profile[t % m] += detrended[t];
    count[t % m] += 1;
  }
  double centre = 0;
  for (std::size_t k = 0; k < m; ++k) {
    if (count[k] == 0) return 0;
    profile[k] /= count[k];
    centre += profile[k] / static_cast<double>(m);
  }
  std::vector<double> both, remainder;
  for (std::size_t t = 0; t < n; ++t) {
    if (!ok[t]) continue;
    both.push_back(detrended[t]);
    remainder.push_back(detrended[t] - (profile[t % m] - centre));
  }
  const double vb = variance(both);
  if (!(vb > 0)) return 0;
  return std::clamp(1 - variance(remainder) / vb, 0.0, 1.0);
}

std::size_t choose_seasonal_d(std::span<const double> y, std::span<const std::uint8_t> valid,
                              std::size_t m, std::size_t max_D) {
  Masked x{{y.begin(), y.end()}, {valid.begin(), valid.end()}};
  std::size_t D = 0;
  while (D < max_D && !is_constant(x.values, x.valid) &&
         seasonal_strength(x.values, x.valid, m) > kStrengthThreshold) {
    ++D;
    x = difference(x.values, x.valid, m);
  }
  return D;
}

}  // namespace lp::forecast
