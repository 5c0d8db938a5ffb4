// The ARIMA model library on simulated series of known structure: the
// state-space pieces against their defining equations, coefficient recovery,
// the differencing tests, and update() against filtering from the start.
#include "arima_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "arima_likelihood.hpp"
#include "differencing.hpp"
#include "state_space.hpp"

namespace lp::testing {
namespace {

namespace fc = lp::forecast;

// y from (1 - phi B)(1 - Phi B^m) (1 - B)^d (1 - B^m)^D y = (1 + theta B)(1 + Theta B^m) e.
std::vector<double> simulate(std::size_t n, const fc::ArimaOrder& o, const std::vector<double>& ar,
                             const std::vector<double>& ma, const std::vector<double>& sar,
                             const std::vector<double>& sma, double sd, std::uint64_t seed,
                             double mean = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, sd);
  const auto phi = fc::expand_ar(ar, sar, o.m);
  const auto theta = fc::expand_ma(ma, sma, o.m);
  const auto delta = fc::differencing_polynomial(o.d, o.D, o.m);
  const std::size_t burn = 500;
  std::vector<double> e(n + burn), w(n + burn, 0.0), y(n + burn, 0.0);
  for (auto& v : e) v = noise(rng);
  for (std::size_t t = 0; t < n + burn; ++t) {
    double v = e[t];
    for (std::size_t k = 0; k < phi.size() && k < t; ++k) v += phi[k] * w[t - k - 1];
    for (std::size_t k = 0; k < theta.size() && k < t; ++k) v += theta[k] * e[t - k - 1];
    w[t] = v;
    double level = w[t];
    for (std::size_t k = 0; k < delta.size() && k < t; ++k) level += delta[k] * y[t - k - 1];
    y[t] = level;
  }
  std::vector<double> out(y.begin() + burn, y.end());
  for (double& v : out) v += mean;
  return out;
}

TEST(ArimaStateSpace, StationaryCovarianceSolvesTheLyapunovEquation) {
  const auto phi = fc::expand_ar({0.5, -0.2}, {0.6}, 24);
  const auto theta = fc::expand_ma({0.3}, {-0.7}, 24);
  const fc::StateSpace ss(phi, theta, {});
  const arma::mat q = ss.stationary_covariance();
  arma::vec a(ss.size(), arma::fill::zeros);
  arma::mat p = q;
  ss.predict(a, p);  // T Q T' + R R'
  EXPECT_LT(arma::abs(p - q).max(), 1e-10 * arma::abs(q).max());
  // AR(1): the variance is 1 / (1 - phi^2).
  EXPECT_NEAR(fc::StateSpace({0.8}, {}, {}).stationary_covariance()(0, 0), 1 / (1 - 0.64), 1e-12);
}

TEST(ArimaStateSpace, ChandrasekharRecursionsMatchTheRiccatiFilter) {
  const fc::StateSpace ss(fc::expand_ar({0.4}, {0.5}, 12), fc::expand_ma({-0.3, 0.2}, {-0.6}, 12),
                          {});
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise;
  std::vector<double> x(600);
  for (double& v : x) v = noise(rng);
  const std::vector<std::uint8_t> valid(x.size(), 1);
  arma::vec a;
  arma::mat p;
  ss.initialise(a, p);
  const fc::FilterSums full = ss.run(x, valid, a, p, false);
  const fc::FilterSums fast = ss.run_stationary(x);
  EXPECT_EQ(full.nu, fast.nu);
  EXPECT_NEAR(fast.ssq, full.ssq, 1e-8 * full.ssq);
  EXPECT_NEAR(fast.sumlog, full.sumlog, 1e-8 * (1 + std::fabs(full.sumlog)));
}

TEST(ArimaModel, Ar1CoefficientIsRecovered) {
  const fc::ArimaOrder o{1, 0, 0, 0, 0, 0, 1, true};
  const auto y = simulate(2000, o, {0.7}, {}, {}, {}, 2.0, 11, 50);
  const fc::ArimaFit f = fc::fit_arima(y, std::vector<std::uint8_t>(y.size(), 1), o);
  ASSERT_EQ(f.ar.size(), 1u);
  EXPECT_NEAR(f.ar[0], 0.7, 0.04);
  EXPECT_NEAR(f.constant, 50, 0.6);  // sd of the mean: 2 / 0.3 / sqrt(2000) = 0.15
  EXPECT_NEAR(std::sqrt(f.sigma2), 2.0, 0.1);
}

TEST(ArimaModel, SeasonalArmaCoefficientsAreRecovered) {
  const fc::ArimaOrder o{1, 0, 1, 0, 1, 1, 24, false};
  const auto y = simulate(24 * 80, o, {0.6}, {0.3}, {}, {-0.5}, 1.0, 23, 100);
  const fc::ArimaFit f = fc::fit_arima(y, std::vector<std::uint8_t>(y.size(), 1), o);
  EXPECT_NEAR(f.ar[0], 0.6, 0.07);
  EXPECT_NEAR(f.ma[0], 0.3, 0.07);
  EXPECT_NEAR(f.sma[0], -0.5, 0.07);
  EXPECT_NEAR(f.sigma2, 1.0, 0.1);
}

TEST(ArimaModel, DifferencingTestsSeeUnitRootsAndSeasons) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise;
  std::vector<double> white(600), walk(600), seasonal(600);
  double level = 0;
  for (std::size_t t = 0; t < 600; ++t) {
    white[t] = noise(rng);
    level += noise(rng);
    walk[t] = level;
    seasonal[t] = 10 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24) + noise(rng);
  }
  const std::vector<std::uint8_t> ok(600, 1);
  EXPECT_EQ(fc::choose_d(white, ok, 2), 0u);
  EXPECT_EQ(fc::choose_d(walk, ok, 2), 1u);
  EXPECT_EQ(fc::choose_seasonal_d(seasonal, ok, 24, 1), 1u);
  EXPECT_EQ(fc::choose_seasonal_d(white, ok, 24, 1), 0u);
  EXPECT_EQ(fc::differencing_polynomial(1, 1, 4), (std::vector<double>{1, 0, 0, 1, -1}));
}

TEST(ArimaModel, AutoArimaFindsAnArProcess) {
  const fc::ArimaOrder o{2, 0, 0, 0, 0, 0, 1, true};
  const auto y = simulate(1500, o, {0.6, -0.3}, {}, {}, {}, 1.0, 17, 20);
  // d fixed: KPSS at 5 % asks for a difference on about 7 % of such draws.
  fc::ArimaSearch search;
  search.d = 0;
  const fc::ArimaFit f = fc::auto_arima(y, std::vector<std::uint8_t>(y.size(), 1), 1, search);
  EXPECT_EQ(f.order.d, 0u) << f.order.name();
  EXPECT_TRUE(f.order.constant) << f.order.name();
  EXPECT_GE(f.order.p, 1u) << f.order.name();
  EXPECT_GT(f.models_tried, 4u);
  // Whatever ARMA it picked, its one-step forecasts match the AR(2)'s.
  const auto r = fc::forecast(f, 1);
  const double truth = 20 + 0.6 * (y[1499] - 20) - 0.3 * (y[1498] - 20);
  EXPECT_NEAR(r.mean[0], truth, 0.15);
  EXPECT_NEAR(r.sd[0], 1.0, 0.08);
}

TEST(ArimaModel, UpdateMatchesFilteringTheLongerSeries) {
  const fc::ArimaOrder o{1, 0, 0, 0, 1, 1, 24, false};
  auto y = simulate(24 * 30, o, {0.5}, {}, {}, {-0.4}, 1.0, 29, 100);
  std::vector<std::uint8_t> valid(y.size(), 1);
  for (std::size_t t = 24 * 26; t < 24 * 26 + 7; ++t) valid[t] = 0;  // a gap in the new part
  const std::size_t cut = 24 * 25;
  const std::span<const double> ys(y);
  const std::span<const std::uint8_t> vs(valid);
  fc::ArimaFit f = fc::auto_arima(ys.first(cut), vs.first(cut), 24);
  fc::extend(f, ys.subspan(cut, 48), vs.subspan(cut, 48));  // two updates
  fc::extend(f, ys.subspan(cut + 48), vs.subspan(cut + 48));
  const fc::ArimaFit whole = fc::refilter(f, y, valid);
  EXPECT_EQ(f.n, y.size());
  ASSERT_EQ(f.a.size(), whole.a.size());
  for (std::size_t i = 0; i < f.a.size(); ++i) EXPECT_NEAR(f.a[i], whole.a[i], 1e-7) << i;
  const auto a = fc::forecast(f, 24), b = fc::forecast(whole, 24);
  for (std::size_t h = 0; h < 24; ++h) {
    EXPECT_NEAR(a.mean[h], b.mean[h], 1e-7);
    EXPECT_NEAR(a.sd[h], b.sd[h], 1e-7);
  }
}

}  // namespace
}  // namespace lp::testing
