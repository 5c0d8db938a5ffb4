// The forecaster plugins as the host loads them, on series with known
// structure: exact recovery of a noiseless seasonal pattern, a trend change,
// an event multiplier, interval coverage on simulated data, save/load round
// trips, masked outages, and the errors a user can meet.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "forecaster_fixture.hpp"

namespace lp::testing {
namespace {

class Forecasters : public ForecasterTest {
 protected:
  static void SetUpTestSuite() { load({"forecast_naive.so", "forecast_ets.so"}); }
  static ForecasterInstance make(const std::string& type, const std::string& config = "{}") {
    return make_forecaster(type, config);
  }
};

double pattern(std::size_t t) {
  return 100 + 30 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24) +
         ((t % 24) == 9 ? 25 : 0);
}

TEST_F(Forecasters, NoiselessSeasonalPatternIsRecoveredExactly) {
  const auto history = series(24 * 14, pattern);
  for (const char* type : {"seasonal-naive", "ets"}) {
    auto f = make(type);
    f.client->fit(history);
    const std::vector<double> q{0.1, 0.9};
    const auto r = f.client->predict(48, q);
    ASSERT_EQ(r.mean.size(), 48u) << type;
    EXPECT_EQ(r.start_ns, kStart + 24 * 14 * kHour) << type;
    EXPECT_EQ(r.step_ns, kHour) << type;
    for (std::size_t h = 0; h < 48; ++h) {
      EXPECT_NEAR(r.mean[h], pattern(24 * 14 + h), 1e-6) << type << " h " << h;
      EXPECT_NEAR(r.quantile(h, 0), r.mean[h], 1e-3) << type;  // no noise, no width
    }
  }
}

TEST_F(Forecasters, EtsFollowsATrendChange) {
  // Flat for ten days, then rising 2 per hour: the forecast keeps rising.
  const auto history = series(24 * 14, [](std::size_t t) {
    return 500 + (t > 240 ? 2.0 * static_cast<double>(t - 240) : 0.0) +
           0.5 * std::sin(static_cast<double>(t));
  });
  auto f = make("ets", R"({"season": 0, "trend": "A"})");
  f.client->fit(history);
  const auto r = f.client->predict(24, {});
  const double last = history.values.back();
  EXPECT_NEAR(r.mean[0], last + 2, 3);
  EXPECT_NEAR(r.mean[23] - r.mean[0], 2 * 23, 5);  // the new slope carries on
  // Chosen by AICc the trend may be damped, but it still rises.
  auto chosen = make("ets", R"({"season": 0})");
  chosen.client->fit(history);
  const auto c = chosen.client->predict(24, {});
  EXPECT_GT(c.mean[23] - c.mean[0], 20);
  // The seasonal naive cannot see a trend: its forecast repeats yesterday.
  auto naive = make("seasonal-naive");
  naive.client->fit(history);
  EXPECT_LT(naive.client->predict(24, {}).mean[23], r.mean[23] - 30);
}

TEST_F(Forecasters, EventMultipliersAreLearnedOutAndAppliedAhead) {
  // A campaign doubles the load on day 8; the model must learn the base load.
  const std::int64_t day = 24 * kHour;
  std::vector<LoadEvent> past{{"campaign", kStart + 8 * day, kStart + 9 * day, 2.0}};
  auto history = series(24 * 14, pattern);
  for (std::size_t t = 24 * 8; t < 24 * 9; ++t) history.values[t] *= 2;
  const std::int64_t end = kStart + 14 * day;
  const std::vector<LoadEvent> ahead{{"release", end + 6 * kHour, end + 12 * kHour, 1.5}};
  for (const char* type : {"seasonal-naive", "ets"}) {
    auto f = make(type);
    f.client->fit(history, past);
    const auto base = f.client->predict(24, {});
    const auto with = f.client->predict(24, {}, ahead);
    for (std::size_t h = 0; h < 24; ++h) {
      EXPECT_NEAR(base.mean[h], pattern(24 * 14 + h), 1e-4) << type << " h " << h;
      const double factor = h >= 6 && h < 12 ? 1.5 : 1.0;
      EXPECT_NEAR(with.mean[h], factor * base.mean[h], 1e-6) << type << " h " << h;
    }
  }
}

TEST_F(Forecasters, EtsIntervalsCoverWhatTheyClaim) {
  // 40 simulated ETS(A,N,A) series (alpha 0.2, sigma 5); coverage of the
  // 80 % and 95 % intervals over the next 24 steps.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 5);
  int in80 = 0, in95 = 0, total = 0;
  for (int rep = 0; rep < 40; ++rep) {
    double level = 200;
    std::vector<double> y;
    for (std::size_t t = 0; t < 24 * 12 + 24; ++t) {
      const double s = 20 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24);
      const double e = noise(rng);
      y.push_back(level + s + e);
      level += 0.2 * e;
    }
    TimeSeries history;
    history.start_ns = kStart;
    history.step_ns = kHour;
    history.values.assign(y.begin(), y.end() - 24);
    auto f = make("ets", R"({"error": "A", "trend": "N", "seasonality": "A", "paths": 1000})");
    f.client->fit(history);
    const std::vector<double> q{0.025, 0.1, 0.9, 0.975};
    const auto r = f.client->predict(24, q);
    for (std::size_t h = 0; h < 24; ++h) {
      const double actual = y[24 * 12 + h];
      in95 += actual >= r.quantile(h, 0) && actual <= r.quantile(h, 3);
      in80 += actual >= r.quantile(h, 1) && actual <= r.quantile(h, 2);
      ++total;
    }
  }
  const double c80 = static_cast<double>(in80) / total;
  const double c95 = static_cast<double>(in95) / total;
  EXPECT_GT(c80, 0.72) << c80;
  EXPECT_LT(c80, 0.88) << c80;
  EXPECT_GT(c95, 0.90) << c95;
  EXPECT_LE(c95, 0.99) << c95;
}

TEST_F(Forecasters, SaveAndLoadRoundTrip) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0, 3);
  const auto history = series(24 * 10, [&](std::size_t t) { return pattern(t) + noise(rng); });
  for (const char* type : {"seasonal-naive", "ets"}) {
    auto a = make(type);
    a.client->fit(history);
    const std::vector<double> q{0.05, 0.5, 0.95};
    const auto before = a.client->predict(36, q);
    const std::string state = a.client->save();
    auto b = make(type);
    b.client->load(state);
    const auto after = b.client->predict(36, q);
    EXPECT_EQ(before.mean, after.mean) << type;
    EXPECT_EQ(before.quantiles, after.quantiles) << type;
    EXPECT_EQ(before.start_ns, after.start_ns) << type;
    EXPECT_THROW(b.client->load("{\"model\": \"something-else\"}"), ComponentError) << type;
  }
}

TEST_F(Forecasters, UpdateMovesTheForecastOriginWithoutRefitting) {
  const auto all = series(24 * 12, pattern);
  TimeSeries first = all, rest = all;
  first.values.resize(24 * 10);
  rest.values.assign(all.values.begin() + 24 * 10, all.values.end());
  rest.start_ns = kStart + 24 * 10 * kHour;
  for (const char* type : {"seasonal-naive", "ets"}) {
    auto f = make(type);
    f.client->fit(first);
    f.client->update(rest);
    const auto r = f.client->predict(24, {});
    EXPECT_EQ(r.start_ns, kStart + 24 * 12 * kHour) << type;
    EXPECT_NEAR(r.mean[5], pattern(24 * 12 + 5), 1e-4) << type;
    TimeSeries wrong = rest;  // not where the history ends
    EXPECT_THROW(f.client->update(wrong), ComponentError) << type;
  }
}

TEST_F(Forecasters, MaskedOutageIsNotLearnedAsZero) {
  auto history = series(24 * 14, pattern);
  history.valid.assign(history.values.size(), 1);
  for (std::size_t t = 24 * 13; t < 24 * 13 + 20; ++t) {  // yesterday's outage
    history.values[t] = 0;
    history.valid[t] = 0;
  }
  for (const char* type : {"seasonal-naive", "ets"}) {
    auto f = make(type);
    f.client->fit(history);
    const auto r = f.client->predict(24, {});
    for (std::size_t h = 0; h < 24; ++h) EXPECT_NEAR(r.mean[h], pattern(24 * 14 + h), 1e-3) << type;
  }
}

TEST_F(Forecasters, ClearErrors) {
  for (const char* type : {"seasonal-naive", "ets"}) {
    auto f = make(type);
    try {
      f.client->fit(series(5, pattern));
      FAIL() << type << ": a 5-value history must be refused";
    } catch (const ComponentError& e) {
      EXPECT_NE(std::string(e.what()).find("history too short"), std::string::npos) << e.what();
    }
    EXPECT_THROW(f.client->predict(3, {}), ComponentError) << type;  // before any fit
  }
  auto f = make("ets");
  f.client->fit(series(24 * 4, pattern));
  const std::vector<double> bad{1.5};
  EXPECT_THROW(f.client->predict(3, bad), ComponentError);
}

}  // namespace
}  // namespace lp::testing
