// The "prophet" forecaster as the host loads it, on series with known
// structure: a noiseless seasonal pattern recovered, a trend change found and
// extrapolated, event multipliers learned or taken from the plan, interval
// coverage on simulated data, masked outages, save/load, update, and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "forecaster_fixture.hpp"
#include "loadpilot/host/forecast/history_csv.hpp"
#include "prophet_model.hpp"

namespace lp::testing {
namespace {

class Prophet : public ForecasterTest {
 protected:
  static void SetUpTestSuite() { load({"forecast_prophet.so"}); }
  static ForecasterInstance make(const std::string& config = "{}") {
    return make_forecaster("prophet", config);
  }
};

// A daily pattern within Prophet's daily Fourier order (4); t in hours.
double pattern(std::size_t t) {
  const double x = 2 * M_PI * static_cast<double>(t % 24) / 24;
  return 100 + 30 * std::sin(x) + 12 * std::cos(2 * x) - 6 * std::sin(4 * x);
}

double max_abs_error(const std::vector<double>& got, std::size_t from,
                     const std::function<double(std::size_t)>& want) {
  double worst = 0;
  for (std::size_t h = 0; h < got.size(); ++h)
    worst = std::max(worst, std::abs(got[h] - want(from + h)));
  return worst;
}

TEST_F(Prophet, NoiselessSeasonalPatternIsRecovered) {
  const auto history = series(24 * 14, pattern);
  auto f = make();
  f.client->fit(history);
  const std::vector<double> q{0.1, 0.9};
  const auto r = f.client->predict(48, q);
  ASSERT_EQ(r.mean.size(), 48u);
  EXPECT_EQ(r.start_ns, kStart + 24 * 14 * kHour);
  EXPECT_EQ(r.step_ns, kHour);
  EXPECT_LT(max_abs_error(r.mean, 24 * 14, pattern), 1e-3);
  for (std::size_t h = 0; h < 48; ++h) {
    EXPECT_NEAR(r.quantile(h, 0), r.mean[h], 1e-2) << h;  // no noise, no width
    EXPECT_NEAR(r.quantile(h, 1), r.mean[h], 1e-2) << h;
  }
}

TEST_F(Prophet, FindsAndExtrapolatesATrendChange) {
  // Flat for ten days, then rising 2 per hour, over a daily pattern.
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 0.5);
  auto level = [](std::size_t t) { return 500 + (t > 240 ? 2.0 * double(t - 240) : 0.0); };
  const auto history =
      series(24 * 14, [&](std::size_t t) { return level(t) + pattern(t) - 100 + noise(rng); });
  auto f = make();
  f.client->fit(history);
  const auto r = f.client->predict(24, {});
  for (std::size_t h = 0; h < 24; ++h) {
    const std::size_t t = 24 * 14 + h;
    EXPECT_NEAR(r.mean[h], level(t) + pattern(t) - 100, 4) << h;
  }
  // The model's view: the rate change sits at the changepoint nearest t = 240.
  lp::forecast::ProphetData d;
  d.start_ns = history.start_ns;
  d.step_ns = history.step_ns;
  d.values = history.values;
  d.valid.assign(d.values.size(), 1);
  const auto fit = lp::forecast::fit_prophet(d, {});
  std::size_t biggest = 0;
  for (std::size_t j = 0; j < fit.params.delta.size(); ++j)
    if (std::abs(fit.params.delta[j]) > std::abs(fit.params.delta[biggest])) biggest = j;
  const double hours = fit.changepoints[biggest] * fit.t_scale_ns / double(kHour);
  EXPECT_NEAR(hours, 240, 12);
  EXPECT_GT(fit.params.delta[biggest], 0);
}

TEST(ProphetModel, LaplacePriorLeavesMostRateChangesAtZero) {
  // A noisy straight line: OWL-QN's L1 term (the Laplace prior) sets the
  // changepoints' rate changes exactly to 0 rather than near it.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0, 5);
  lp::forecast::ProphetData d;
  d.start_ns = kStart;
  d.step_ns = kHour;
  for (std::size_t t = 0; t < 24 * 14; ++t) {
    d.values.push_back(200 + 0.1 * double(t) + pattern(t) - 100 + noise(rng));
    d.valid.push_back(1);
  }
  const auto fit = lp::forecast::fit_prophet(d, {});
  ASSERT_EQ(fit.params.delta.size(), 25u);
  const auto zeros = std::count(fit.params.delta.begin(), fit.params.delta.end(), 0.0);
  EXPECT_GE(zeros, 15);
  EXPECT_GT(fit.params.sigma * fit.y_scale, 4);  // the noise is seen as noise
  EXPECT_LT(fit.params.sigma * fit.y_scale, 6);
}

TEST_F(Prophet, MultiplicativeSeasonalityScalesWithTheTrend) {
  // The daily swing grows with the level: only the multiplicative mode fits.
  auto truth = [](std::size_t t) {
    return (100 + 0.5 * double(t)) * (1 + 0.3 * std::sin(2 * M_PI * double(t % 24) / 24));
  };
  const auto history = series(24 * 14, truth);
  auto mult = make(R"({"seasonality_mode": "multiplicative"})");
  mult.client->fit(history);
  auto add = make(R"({"seasonality_mode": "additive"})");
  add.client->fit(history);
  const double err_mult = max_abs_error(mult.client->predict(48, {}).mean, 24 * 14, truth);
  const double err_add = max_abs_error(add.client->predict(48, {}).mean, 24 * 14, truth);
  EXPECT_LT(err_mult, 0.5);
  EXPECT_GT(err_add, 5 * err_mult);
}

TEST_F(Prophet, EventMultipliersAreLearnedOrTakenFromThePlan) {
  // A campaign doubles the load on day 8 though the plan said 3: the model
  // learns the base load and the campaign's real factor.
  const std::int64_t day = 24 * kHour;
  std::vector<LoadEvent> past{{"campaign", kStart + 8 * day, kStart + 9 * day, 3.0}};
  auto history = series(24 * 14, pattern);
  for (std::size_t t = 24 * 8; t < 24 * 9; ++t) history.values[t] *= 2;
  const std::int64_t end = kStart + 14 * day;
  auto f = make();
  f.client->fit(history, past);
  const auto base = f.client->predict(24, {});
  EXPECT_LT(max_abs_error(base.mean, 24 * 14, pattern), 1e-2);
  // Ahead: "release" is new, so the plan's 1.5 applies; "campaign" was seen.
  const std::vector<LoadEvent> ahead{{"release", end + 6 * kHour, end + 12 * kHour, 1.5},
                                     {"campaign", end + 12 * kHour, end + 18 * kHour, 3.0}};
  const auto with = f.client->predict(24, {}, ahead);
  for (std::size_t h = 0; h < 24; ++h) {
    const double factor = h >= 6 && h < 12 ? 1.5 : h >= 12 && h < 18 ? 2.0 : 1.0;
    EXPECT_NEAR(with.mean[h], factor * base.mean[h], 1e-3 * base.mean[h]) << h;
  }
  // Without the calendar the campaign day is learned as a bump in the trend:
  // the forecast is worse, so the event regressor is what makes it right.
  auto blind = make();
  blind.client->fit(history);
  EXPECT_GT(max_abs_error(blind.client->predict(24, {}).mean, 24 * 14, pattern), 1.0);
}

TEST_F(Prophet, IntervalsCoverWhatTheyClaim) {
  // 40 series from the model itself (a straight trend, a daily pattern,
  // Gaussian noise sd 5); coverage of the 80 % and 95 % intervals ahead.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 5);
  std::uniform_real_distribution<double> slope(-0.2, 0.2);
  int in80 = 0, in95 = 0, total = 0;
  for (int rep = 0; rep < 40; ++rep) {
    const double b = slope(rng);
    std::vector<double> y;
    for (std::size_t t = 0; t < 24 * 12 + 24; ++t)
      y.push_back(200 + b * double(t) + 20 * std::sin(2 * M_PI * double(t % 24) / 24) + noise(rng));
    TimeSeries history;
    history.start_ns = kStart;
    history.step_ns = kHour;
    history.values.assign(y.begin(), y.end() - 24);
    auto f = make(R"({"paths": 1000, "seed": 3})");
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
  EXPECT_LT(c80, 0.90) << c80;
  EXPECT_GT(c95, 0.90) << c95;
  EXPECT_LE(c95, 0.995) << c95;
}

TEST_F(Prophet, MaskedOutageIsNotLearnedAsZero) {
  auto history = series(24 * 14, pattern);
  history.valid.assign(history.values.size(), 1);
  for (std::size_t t = 24 * 13; t < 24 * 13 + 20; ++t) {  // yesterday's outage
    history.values[t] = 0;
    history.valid[t] = 0;
  }
  auto f = make();
  f.client->fit(history);
  EXPECT_LT(max_abs_error(f.client->predict(24, {}).mean, 24 * 14, pattern), 1e-3);
  // The same zeros unmasked do pull the forecast: the mask is what matters.
  history.valid.clear();
  auto g = make();
  g.client->fit(history);
  EXPECT_GT(max_abs_error(g.client->predict(24, {}).mean, 24 * 14, pattern), 1.0);
}

TEST_F(Prophet, SaveAndLoadRoundTrip) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0, 3);
  const auto history = series(24 * 10, [&](std::size_t t) { return pattern(t) + noise(rng); });
  const std::vector<LoadEvent> past{{"sale", kStart + 30 * kHour, kStart + 40 * kHour, 1.3}};
  auto a = make(R"({"seasonality_mode": "multiplicative"})");
  a.client->fit(history, past);
  const std::vector<double> q{0.05, 0.5, 0.95};
  const std::vector<LoadEvent> ahead{{"sale", kStart + 245 * kHour, kStart + 250 * kHour, 1.3}};
  const auto before = a.client->predict(36, q, ahead);
  const std::string state = a.client->save();
  auto b = make();  // the saved settings win over the instance's
  b.client->load(state);
  const auto after = b.client->predict(36, q, ahead);
  EXPECT_EQ(before.mean, after.mean);
  EXPECT_EQ(before.quantiles, after.quantiles);
  EXPECT_EQ(before.start_ns, after.start_ns);
  EXPECT_EQ(b.client->save(), state);
  // Both continue identically.
  const auto more = series(24, [&](std::size_t t) { return pattern(240 + t) + noise(rng); });
  TimeSeries next = more;
  next.start_ns = kStart + 240 * kHour;
  a.client->update(next);
  b.client->update(next);
  EXPECT_EQ(a.client->predict(12, q).quantiles, b.client->predict(12, q).quantiles);
  EXPECT_THROW(b.client->load("{\"model\": \"ets\"}"), ComponentError);
  EXPECT_THROW(b.client->load("{\"model\": \"prophet\", \"fit\": {}}"), ComponentError);
}

TEST_F(Prophet, UpdateRefitsFromThePreviousFit) {
  // The load starts rising 1 per hour at hour 200: after the update the
  // forecast follows, as a full refit on everything does.
  auto rising = [](std::size_t t) { return pattern(t) + (t >= 200 ? double(t - 200) : 0.0); };
  const auto all = series(24 * 13, rising);
  TimeSeries first = all, rest = all;
  first.values.resize(24 * 10);
  rest.values.assign(all.values.begin() + 24 * 10, all.values.end());
  rest.start_ns = kStart + 24 * 10 * kHour;
  auto f = make();
  f.client->fit(first);
  f.client->update(rest);
  const auto r = f.client->predict(24, {});
  EXPECT_EQ(r.start_ns, kStart + 24 * 13 * kHour);
  auto full = make();
  full.client->fit(all);
  const auto want = full.client->predict(24, {});
  // update() refits on a smaller iteration budget: close to, not equal to, a full refit
  for (std::size_t h = 0; h < 24; ++h)
    EXPECT_NEAR(r.mean[h], want.mean[h], 5e-3 * want.mean[h]) << h;
  EXPECT_NEAR(r.mean[0], rising(24 * 13), 2);
  EXPECT_NEAR(r.mean[23], rising(24 * 13 + 23), 2);
  TimeSeries wrong = rest;  // not where the history ends
  EXPECT_THROW(f.client->update(wrong), ComponentError);
  TimeSeries other_step = rest;
  other_step.start_ns = kStart + 24 * 13 * kHour;
  other_step.step_ns = 2 * kHour;
  EXPECT_THROW(f.client->update(other_step), ComponentError);
}

TEST_F(Prophet, ClearErrors) {
  auto f = make();
  EXPECT_THROW(f.client->predict(3, {}), ComponentError);  // before any fit
  EXPECT_THROW(f.client->update(series(3, pattern)), ComponentError);
  EXPECT_THROW(f.client->save(), ComponentError);
  try {
    f.client->fit(series(5, pattern));
    FAIL() << "a 5-value history must be refused";
  } catch (const ComponentError& e) {
    EXPECT_NE(std::string(e.what()).find("history too short"), std::string::npos) << e.what();
  }
  // Non-finite values are gaps; with too few left the error says so.
  auto mostly_nan = series(48, pattern);
  for (std::size_t t = 5; t < 48; ++t) mostly_nan.values[t] = std::nan("");
  EXPECT_THROW(f.client->fit(mostly_nan), ComponentError);
  f.client->fit(series(24 * 4, pattern));
  const std::vector<double> bad{1.5};
  EXPECT_THROW(f.client->predict(3, bad), ComponentError);
  EXPECT_THROW(make(R"({"seasonality_mode": "sideways"})"), ComponentError);
  EXPECT_THROW(make(R"({"daily": "maybe"})"), ComponentError);
}

TEST_F(Prophet, CsvHistoryErrorsStopBeforeTheModel) {
  // The host reads the history; unsorted timestamps and non-numeric values
  // are refused there with the line, and a gap arrives masked.
  const auto dir = std::filesystem::temp_directory_path() / "lp_prophet_test";
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) {
    const auto p = dir / name;
    std::ofstream(p) << text;
    return p;
  };
  EXPECT_THROW(
      read_history_csv(write("unsorted.csv", "timestamp,value\n7200,1\n3600,2\n10800,3\n")),
      InputError);
  EXPECT_THROW(read_history_csv(write("text.csv", "timestamp,value\n3600,1\n7200,abc\n10800,3\n")),
               InputError);
  std::string text = "timestamp,value\n";
  for (std::size_t t = 0; t < 24 * 5; ++t) {
    if (t == 50) continue;  // a missing hour
    text += std::to_string(1'700'000'000 / 3600 * 3600 + 3600 * t) + "," +
            std::to_string(pattern(t)) + "\n";
  }
  const TimeSeries h = read_history_csv(write("gap.csv", text));
  ASSERT_EQ(h.values.size(), 24u * 5);
  auto f = make();
  f.client->fit(h);
  EXPECT_LT(max_abs_error(f.client->predict(24, {}).mean, 24 * 5, pattern), 1e-3);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lp::testing
