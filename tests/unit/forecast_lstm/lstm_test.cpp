// The "lstm" forecaster as the host loads it, on series with known structure:
// a noiseless seasonal pattern, a trend change, an event multiplier, interval
// coverage on simulated data, a masked outage, determinism for a seed,
// save/load and update, and the errors a user can meet. Small networks and
// few epochs keep the suite quick under ASan; tolerances are loose enough for
// a network and tight enough that the seasonal naive or a zero-learning
// model would fail them.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>

#include "forecaster_fixture.hpp"

namespace lp::testing {
namespace {

// Three days of window, one day ahead: short histories train in well under a second.
constexpr const char* kSmall =
    R"({"window_seasons": 3, "horizon": 24, "hidden": 16, "epochs": 40, "max_seconds": 20, )"
    R"("learning_rate": 0.003, "patience": 8)";

std::string config(const std::string& more = "") {
  return std::string(kSmall) + more + "}";
}

class Lstm : public ForecasterTest {
 protected:
  static void SetUpTestSuite() { load({"forecast_lstm.so"}); }
  static ForecasterInstance make(const std::string& cfg = config()) {
    return make_forecaster("lstm", cfg);
  }
};

double pattern(std::size_t t) {
  return 100 + 30 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24) +
         ((t % 24) == 9 ? 25 : 0);
}

double max_error(const ForecastResult& r, std::size_t from, std::size_t n) {
  double worst = 0;
  for (std::size_t h = 0; h < n; ++h)
    worst = std::max(worst, std::fabs(r.mean[h] - pattern(from + h)));
  return worst;
}

TEST_F(Lstm, NoiselessSeasonalPatternIsRecovered) {
  const auto history = series(24 * 14, pattern);
  auto f = make();
  f.client->fit(history);
  const std::vector<double> q{0.1, 0.9};
  // 48 steps: the second day is forecast from the first (recursively).
  const auto r = f.client->predict(48, q);
  ASSERT_EQ(r.mean.size(), 48u);
  ASSERT_EQ(r.quantiles.size(), 96u);
  EXPECT_EQ(r.start_ns, kStart + 24 * 14 * kHour);
  EXPECT_EQ(r.step_ns, kHour);
  // The pattern spans 70 to 155: within 2 % of its level everywhere.
  EXPECT_LT(max_error(r, 24 * 14, 48), 2.0);
  for (std::size_t h = 0; h < 48; ++h) {
    EXPECT_LE(r.quantile(h, 0), r.quantile(h, 1)) << h;
    EXPECT_LT(r.quantile(h, 1) - r.quantile(h, 0), 6.0) << "no noise, a narrow band; h " << h;
  }
}

TEST_F(Lstm, FollowsATrendChange) {
  // The daily pattern, flat for ten days, then rising 1 per hour: the next
  // day's mean must rise past the last day's (the seasonal naive stays flat).
  const auto trend = [](std::size_t t) {
    return pattern(t) + (t > 240 ? 1.0 * static_cast<double>(t - 240) : 0.0);
  };
  const std::size_t n = 24 * 16;
  auto f = make(config(R"(, "validation": 0)"));
  f.client->fit(series(n, trend));
  const auto r = f.client->predict(24, {});
  double last_day = 0, next_day = 0, truth = 0;
  for (std::size_t h = 0; h < 24; ++h) {
    last_day += trend(n - 24 + h) / 24;
    next_day += r.mean[h] / 24;
    truth += trend(n + h) / 24;
  }
  // The truth rises 24; ask for at least half of it and no wild overshoot.
  EXPECT_GT(next_day - last_day, 12) << next_day << " vs " << last_day << ", truth " << truth;
  EXPECT_LT(next_day - last_day, 40) << next_day << " vs " << last_day << ", truth " << truth;
}

TEST_F(Lstm, EventMultipliersAreLearnedOutAndAppliedAhead) {
  const std::int64_t day = 24 * kHour;
  std::vector<LoadEvent> past{{"campaign", kStart + 12 * day, kStart + 13 * day, 2.0}};
  auto history = series(24 * 14, pattern);
  for (std::size_t t = 24 * 12; t < 24 * 13; ++t) history.values[t] *= 2;
  const std::int64_t end = kStart + 14 * day;
  const std::vector<LoadEvent> ahead{{"release", end + 6 * kHour, end + 12 * kHour, 1.5}};
  auto f = make();
  f.client->fit(history, past);
  const auto base = f.client->predict(24, {});
  const auto with = f.client->predict(24, {}, ahead);
  EXPECT_LT(max_error(base, 24 * 14, 24), 2.0) << "the doubled day leaked into the base load";
  for (std::size_t h = 0; h < 24; ++h) {
    const double factor = h >= 6 && h < 12 ? 1.5 : 1.0;
    EXPECT_NEAR(with.mean[h], factor * base.mean[h], 1e-9 * base.mean[h]) << h;
  }
}

TEST_F(Lstm, IntervalsCoverRoughlyWhatTheyClaim) {
  // Ten simulated series (daily pattern, level random walk, noise sigma 5):
  // coverage of the 80 % and 95 % intervals over the next 24 steps. A network
  // fitted per series is calibrated only roughly: loose bands.
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 5);
  int in80 = 0, in95 = 0, total = 0;
  for (int rep = 0; rep < 10; ++rep) {
    double level = 200;
    std::vector<double> y;
    for (std::size_t t = 0; t < 24 * 14 + 24; ++t) {
      const double e = noise(rng);
      y.push_back(level + 20 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24) + e);
      level += 0.1 * e;
    }
    TimeSeries history;
    history.start_ns = kStart;
    history.step_ns = kHour;
    history.values.assign(y.begin(), y.end() - 24);
    auto f = make(config(R"(, "seed": )" + std::to_string(rep + 1)));
    f.client->fit(history);
    const std::vector<double> q{0.025, 0.1, 0.9, 0.975};
    const auto r = f.client->predict(24, q);
    for (std::size_t h = 0; h < 24; ++h) {
      const double actual = y[24 * 14 + h];
      in95 += actual >= r.quantile(h, 0) && actual <= r.quantile(h, 3);
      in80 += actual >= r.quantile(h, 1) && actual <= r.quantile(h, 2);
      ++total;
    }
  }
  const double c80 = static_cast<double>(in80) / total;
  const double c95 = static_cast<double>(in95) / total;
  EXPECT_GT(c80, 0.55) << c80;
  EXPECT_LT(c80, 0.97) << c80;
  EXPECT_GT(c95, 0.75) << c95;
  EXPECT_GT(c95, c80);
}

TEST_F(Lstm, MaskedOutageIsNotLearnedAsZero) {
  auto history = series(24 * 14, pattern);
  history.valid.assign(history.values.size(), 1);
  for (std::size_t t = 24 * 13; t < 24 * 13 + 20; ++t) {  // yesterday's outage
    history.values[t] = 0;
    history.valid[t] = 0;
  }
  for (std::size_t t = 24 * 5; t < 24 * 6; ++t) {  // and a day of NaN earlier
    history.values[t] = std::numeric_limits<double>::quiet_NaN();
  }
  auto f = make();
  f.client->fit(history);
  EXPECT_LT(max_error(f.client->predict(24, {}), 24 * 14, 24), 2.0);
}

TEST_F(Lstm, TheSameSeedGivesTheSameForecast) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0, 4);
  const auto history = series(24 * 12, [&](std::size_t t) { return pattern(t) + noise(rng); });
  const std::vector<double> q{0.05, 0.5, 0.95};
  auto a = make(config(R"(, "seed": 7)"));
  auto b = make(config(R"(, "seed": 7)"));
  auto c = make(config(R"(, "seed": 8)"));
  a.client->fit(history);
  b.client->fit(history);
  c.client->fit(history);
  const auto ra = a.client->predict(24, q), rb = b.client->predict(24, q),
             rc = c.client->predict(24, q);
  EXPECT_EQ(ra.mean, rb.mean);
  EXPECT_EQ(ra.quantiles, rb.quantiles);
  EXPECT_NE(ra.mean, rc.mean) << "the seed must matter";
}

TEST_F(Lstm, SaveAndLoadRoundTrip) {
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
  EXPECT_EQ(b.client->save(), state);
  EXPECT_THROW(b.client->load(R"({"model": "something-else"})"), ComponentError);
  EXPECT_THROW(b.client->load("not json"), ComponentError);
  std::string cut = state;
  cut.replace(cut.find("\"weights\":\"") + 11, 40, std::string(40, 'A'));
  EXPECT_THROW(b.client->load(cut), ComponentError);
}

TEST_F(Lstm, UpdateMovesTheForecastOrigin) {
  const auto all = series(24 * 14, pattern);
  TimeSeries first = all, rest = all;
  first.values.resize(24 * 12);
  rest.values.assign(all.values.begin() + 24 * 12, all.values.end());
  rest.start_ns = kStart + 24 * 12 * kHour;
  for (const char* extra : {"", R"(, "update_epochs": 2)"}) {
    auto f = make(config(extra));
    f.client->fit(first);
    f.client->update(rest);
    const auto r = f.client->predict(24, {});
    EXPECT_EQ(r.start_ns, kStart + 24 * 14 * kHour) << extra;
    EXPECT_LT(max_error(r, 24 * 14, 24), 2.0) << extra;
    EXPECT_THROW(f.client->update(rest), ComponentError) << "not where the history ends";
  }
}

TEST_F(Lstm, ClearErrors) {
  auto f = make();
  const auto expect_too_short = [&](const TimeSeries& s) {
    try {
      f.client->fit(s);
      FAIL() << "a " << s.values.size() << "-value history must be refused";
    } catch (const ComponentError& e) {
      EXPECT_NE(std::string(e.what()).find("history too short"), std::string::npos) << e.what();
    }
  };
  expect_too_short(series(5, pattern));
  expect_too_short(series(24 + 24 + 10, pattern));  // a day of window, a day ahead, few windows
  // Non-numeric values are masked, not learned: a history of them is too short.
  expect_too_short(series(24 * 10, [](std::size_t t) { return t % 2 ? std::nan("") : HUGE_VAL; }));
  EXPECT_THROW(f.client->predict(3, {}), ComponentError);  // before any fit
  EXPECT_THROW(f.client->update(series(3, pattern)), ComponentError);
  EXPECT_THROW(f.client->save(), ComponentError);
  TimeSeries backwards = series(24 * 10, pattern);
  backwards.step_ns = -kHour;  // timestamps must increase
  EXPECT_THROW(f.client->fit(backwards), ComponentError);
  f.client->fit(series(24 * 4, pattern));  // shorter than the window: a shorter window
  const std::vector<double> bad{1.5};
  EXPECT_THROW(f.client->predict(3, bad), ComponentError);
  EXPECT_EQ(f.client->predict(3, {}).mean.size(), 3u);
  EXPECT_THROW(make(R"({"quantiles": [0.5, 1.5]})"), ComponentError);
  EXPECT_THROW(make(R"({"hidden": "many"})"), ComponentError);
}

}  // namespace
}  // namespace lp::testing
