// The "arima" forecaster as the host loads it, on series with known
// structure: exact recovery of a noiseless seasonal pattern, a trend change,
// an event multiplier, interval coverage on simulated SARIMA data, save/load
// round trips, masked outages, update(), and the errors a user can meet.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include "arima_likelihood.hpp"
#include "forecaster_fixture.hpp"

namespace lp::testing {
namespace {

class ArimaForecaster : public ForecasterTest {
 protected:
  static void SetUpTestSuite() { load({"forecast_arima.so"}); }
  static ForecasterInstance make(const std::string& config = "{}") {
    return make_forecaster("arima", config);
  }
};

double pattern(std::size_t t) {
  return 100 + 30 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24) +
         ((t % 24) == 9 ? 25 : 0);
}

TEST_F(ArimaForecaster, NoiselessSeasonalPatternIsRecoveredExactly) {
  const auto history = series(24 * 14, pattern);
  auto f = make();
  f.client->fit(history);
  const std::vector<double> q{0.1, 0.9};
  const auto r = f.client->predict(48, q);
  ASSERT_EQ(r.mean.size(), 48u);
  EXPECT_EQ(r.start_ns, kStart + 24 * 14 * kHour);
  EXPECT_EQ(r.step_ns, kHour);
  for (std::size_t h = 0; h < 48; ++h) {
    EXPECT_NEAR(r.mean[h], pattern(24 * 14 + h), 1e-6) << h;
    EXPECT_NEAR(r.quantile(h, 0), r.mean[h], 1e-3) << h;  // no noise, no width
    EXPECT_NEAR(r.quantile(h, 1), r.mean[h], 1e-3) << h;
  }
}

TEST_F(ArimaForecaster, FollowsATrendChange) {
  // Flat for ten days, then rising 2 per hour: the forecast keeps rising.
  const auto history = series(24 * 14, [](std::size_t t) {
    return 500 + (t > 240 ? 2.0 * static_cast<double>(t - 240) : 0.0) +
           0.5 * std::sin(static_cast<double>(t));
  });
  auto f = make(R"({"season": 0})");
  f.client->fit(history);
  const auto r = f.client->predict(24, std::vector<double>{0.05, 0.95});
  const double last = history.values.back();
  EXPECT_NEAR(r.mean[0], last + 2, 3);
  EXPECT_NEAR(r.mean[23] - r.mean[0], 2 * 23, 6);  // the new slope carries on, not the average
  EXPECT_LT(r.quantile(23, 0), r.mean[23]);
  EXPECT_GT(r.quantile(23, 1), r.mean[23]);
}

TEST_F(ArimaForecaster, EventMultipliersAreLearnedOutAndAppliedAhead) {
  // A campaign doubles the load on day 8; the model must learn the base load.
  const std::int64_t day = 24 * kHour;
  std::vector<LoadEvent> past{{"campaign", kStart + 8 * day, kStart + 9 * day, 2.0}};
  auto history = series(24 * 14, pattern);
  for (std::size_t t = 24 * 8; t < 24 * 9; ++t) history.values[t] *= 2;
  const std::int64_t end = kStart + 14 * day;
  const std::vector<LoadEvent> ahead{{"release", end + 6 * kHour, end + 12 * kHour, 1.5}};
  auto f = make();
  f.client->fit(history, past);
  const auto base = f.client->predict(24, {});
  const auto with = f.client->predict(24, {}, ahead);
  for (std::size_t h = 0; h < 24; ++h) {
    EXPECT_NEAR(base.mean[h], pattern(24 * 14 + h), 1e-4) << h;
    const double factor = h >= 6 && h < 12 ? 1.5 : 1.0;
    EXPECT_NEAR(with.mean[h], factor * base.mean[h], 1e-6) << h;
  }
  // Without the calendar the doubled day is a disturbance the model must learn.
  auto blind = make();
  blind.client->fit(history);
  const auto b = blind.client->predict(24, std::vector<double>{0.05, 0.95});
  EXPECT_GT(b.quantile(0, 1) - b.quantile(0, 0), 1.0);
}

TEST_F(ArimaForecaster, IntervalsCoverWhatTheyClaim) {
  // 60 simulated SARIMA(1,0,0)(0,1,1)[24] series (phi 0.5, Theta -0.5,
  // sigma 4): coverage of the 90 % interval over the next 24 steps.
  const auto phi = lp::forecast::expand_ar({0.5}, {}, 24);
  const auto theta = lp::forecast::expand_ma({}, {-0.5}, 24);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 4);
  int inside = 0, total = 0;
  for (int rep = 0; rep < 60; ++rep) {
    const std::size_t n = 24 * 20 + 24, burn = 200;
    std::vector<double> e(n + burn), w(n + burn, 0.0), y(n + burn, 0.0);
    for (std::size_t t = 0; t < n + burn; ++t) {
      e[t] = noise(rng);
      w[t] = e[t] + (t >= 1 ? phi[0] * w[t - 1] : 0) + (t >= 24 ? theta[23] * e[t - 24] : 0);
      y[t] = w[t] + (t >= 24 ? y[t - 24] : 300 + pattern(t));
    }
    TimeSeries history;
    history.start_ns = kStart;
    history.step_ns = kHour;
    history.values.assign(y.begin() + burn, y.end() - 24);
    auto f = make(R"({"order": [1, 0, 0], "seasonal_order": [0, 1, 1]})");
    f.client->fit(history);
    const auto r = f.client->predict(24, std::vector<double>{0.05, 0.95});
    for (std::size_t h = 0; h < 24; ++h) {
      const double actual = y[n + burn - 24 + h];
      inside += actual >= r.quantile(h, 0) && actual <= r.quantile(h, 1);
      ++total;
    }
  }
  const double coverage = static_cast<double>(inside) / total;
  EXPECT_GT(coverage, 0.84) << coverage;
  EXPECT_LT(coverage, 0.95) << coverage;
}

TEST_F(ArimaForecaster, SaveAndLoadRoundTrip) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0, 3);
  const auto history = series(24 * 10, [&](std::size_t t) { return pattern(t) + noise(rng); });
  auto a = make();
  a.client->fit(history);
  const std::vector<double> q{0.05, 0.5, 0.95};
  const auto before = a.client->predict(36, q);
  const std::string state = a.client->save();
  auto b = make();
  b.client->load(state);
  const auto after = b.client->predict(36, q);
  EXPECT_EQ(before.mean, after.mean);
  EXPECT_EQ(before.quantiles, after.quantiles);
  EXPECT_EQ(before.start_ns, after.start_ns);
  EXPECT_LT(before.quantile(0, 0), before.mean[0] - 1);  // noisy data: a real interval
  EXPECT_THROW(b.client->load("{\"model\": \"ets\"}"), ComponentError);
  EXPECT_THROW(b.client->load("{\"model\": \"arima\", \"order\": [1, 0, 0]}"), ComponentError);
}

TEST_F(ArimaForecaster, UpdateMovesTheForecastOriginWithoutRefitting) {
  const auto all = series(24 * 12, pattern);
  TimeSeries first = all, rest = all;
  first.values.resize(24 * 10);
  rest.values.assign(all.values.begin() + 24 * 10, all.values.end());
  rest.start_ns = kStart + 24 * 10 * kHour;
  auto f = make();
  f.client->fit(first);
  f.client->update(rest);
  const auto r = f.client->predict(24, {});
  EXPECT_EQ(r.start_ns, kStart + 24 * 12 * kHour);
  for (std::size_t h = 0; h < 24; ++h) EXPECT_NEAR(r.mean[h], pattern(24 * 12 + h), 1e-4) << h;
  TimeSeries wrong = rest;  // not where the history ends
  EXPECT_THROW(f.client->update(wrong), ComponentError);
}

TEST_F(ArimaForecaster, MaskedOutageIsNotLearnedAsZero) {
  std::mt19937_64 rng(9);
  std::normal_distribution<double> noise(0, 0.5);
  for (const bool noisy : {false, true}) {
    auto history =
        series(24 * 14, [&](std::size_t t) { return pattern(t) + (noisy ? noise(rng) : 0); });
    history.valid.assign(history.values.size(), 1);
    for (std::size_t t = 24 * 13; t < 24 * 13 + 20; ++t) {  // yesterday's outage
      history.values[t] = 0;
      history.valid[t] = 0;
    }
    auto f = make();
    f.client->fit(history);
    const auto r = f.client->predict(24, {});
    for (std::size_t h = 0; h < 24; ++h)
      EXPECT_NEAR(r.mean[h], pattern(24 * 14 + h), noisy ? 3.0 : 1e-3) << noisy << " h " << h;
  }
}

TEST_F(ArimaForecaster, ClearErrors) {
  auto f = make();
  try {
    f.client->fit(series(5, pattern));
    FAIL() << "a 5-value history must be refused";
  } catch (const ComponentError& e) {
    EXPECT_NE(std::string(e.what()).find("history too short"), std::string::npos) << e.what();
  }
  // Non-numeric values are masked, so they do not count towards the length.
  auto mostly_nan = series(40, pattern);
  for (std::size_t t = 5; t < 40; ++t)
    mostly_nan.values[t] = std::numeric_limits<double>::quiet_NaN();
  try {
    f.client->fit(mostly_nan);
    FAIL() << "5 numeric values must be refused";
  } catch (const ComponentError& e) {
    EXPECT_NE(std::string(e.what()).find("got 5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(f.client->predict(3, {}), ComponentError);  // before any fit
  // A fixed order the data cannot carry.
  auto big = make(R"({"order": [5, 0, 5], "seasonal_order": [2, 1, 2]})");
  try {
    big.client->fit(series(24 * 3, pattern));
    FAIL() << "three days cannot carry two seasonal lags";
  } catch (const ComponentError& e) {
    EXPECT_NE(std::string(e.what()).find("history too short for ARIMA(5,0,5)(2,1,2)[24]"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(make(R"({"seasonal_order": [0, 1, 1]})"), ComponentError);
  f.client->fit(series(24 * 4, pattern));
  const std::vector<double> bad{1.5};
  EXPECT_THROW(f.client->predict(3, bad), ComponentError);
}

}  // namespace
}  // namespace lp::testing
