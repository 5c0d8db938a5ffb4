// The windowedGaussian port against hand-computed values and against rows
// of NAB's own results file for realTraffic/speed_7578.csv.
#include "nab/windowed_gaussian.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nab/scorer.hpp"

namespace lp::nab {
namespace {

// 1 - Q(z), the score of a value z standard deviations from the mean.
double phi(double z) {
  return 1 - 0.5 * std::erfc(z / std::sqrt(2.0));
}

TEST(NabWindowedGaussian, NormalProbabilityIsTheTailOnEitherSide) {
  EXPECT_DOUBLE_EQ(normal_probability(3.0, 3.0, 2.0), 0.5);
  EXPECT_NEAR(normal_probability(5.0, 3.0, 2.0), 0.15865525393145707, 1e-15);
  EXPECT_NEAR(normal_probability(1.0, 3.0, 2.0), 0.15865525393145707, 1e-15);
  EXPECT_LT(normal_probability(30.0, 3.0, 2.0), 1e-40);
}

TEST(NabWindowedGaussian, FirstValuesAgainstAGrowingWindow) {
  WindowedGaussian d;
  EXPECT_EQ(d.observe(73), 0.0);  // nothing seen yet
  EXPECT_EQ(d.observe(73), 0.5);  // at the mean; std 0 is taken as 1e-6
  EXPECT_EQ(d.observe(80), 1.0);  // 7e6 standard deviations away
  // Window {73, 73, 80}: mean 75.33.., population std 3.2998..
  const double mean = 226.0 / 3;
  const double std = std::sqrt(((73 - mean) * (73 - mean) * 2 + (80 - mean) * (80 - mean)) / 3);
  EXPECT_NEAR(d.observe(70), phi((mean - 70) / std), 1e-15);
}

// NAB's results/windowedGaussian/realTraffic/windowedGaussian_speed_7578.csv
// holds these scores for the series' first six values (12 digits, as Python
// 2 stored them).
TEST(NabWindowedGaussian, MatchesNabResultsFile) {
  const std::vector<double> values = {73, 62, 66, 69, 65, 76};
  const std::vector<double> nab = {
      0.0, 1.0, 0.607468565726, 0.670010205067, 0.732428273801, 0.991921534369};
  const auto scores = windowed_gaussian_scores(values);
  ASSERT_EQ(scores.size(), nab.size());
  for (std::size_t i = 0; i < nab.size(); ++i) {
    EXPECT_EQ(as_stored_by_nab(scores[i]), nab[i]) << "row " << i;
  }
}

// Once 6400 values are in, the window only moves every 100 values.
TEST(NabWindowedGaussian, SlidesInStepsOfOneHundred) {
  WindowedGaussian d;
  for (int i = 0; i < 6400; ++i) d.observe(i % 2 == 0 ? 0.0 : 2.0);  // mean 1, std 1
  for (int i = 0; i < 100; ++i) ASSERT_NEAR(d.observe(2.0), phi(1.0), 1e-12) << i;
  // The oldest 100 (50 zeros, 50 twos) left, 100 twos came in.
  const double mean = 6500.0 / 6400;
  const double std = std::sqrt(4.0 * 3250 / 6400 - mean * mean);
  EXPECT_NEAR(d.observe(2.0), phi((2.0 - mean) / std), 1e-12);
}

}  // namespace
}  // namespace lp::nab
