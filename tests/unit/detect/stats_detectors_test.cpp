// The statistical detectors on series with known anomalies. Each test states
// the detection delay it allows and the false-flag rate on clean noise.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "band_detector.hpp"
#include "cusum_detector.hpp"
#include "ewma_detector.hpp"
#include "mad_detector.hpp"
#include "series.hpp"

namespace lp::detect::testing {
namespace {

constexpr std::size_t kN = 3000;
constexpr std::size_t kAt = 1500;

template <typename D>
std::vector<bool> run(D detector, const std::vector<double>& series) {
  std::vector<bool> flags;
  for (const double x : series) flags.push_back(detector.observe(x).flag);
  return flags;
}

TEST(Ewma, FlagsASpikeAtOnce) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto flags = run(EwmaDetector({}), with_spike(kN, kAt, 8, seed));
    EXPECT_EQ(first_flag(flags, kAt), static_cast<long>(kAt)) << "seed " << seed;
  }
}

TEST(Ewma, FlagsALevelShiftAtOnceAndAdapts) {
  const auto flags = run(EwmaDetector({}), with_level_shift(kN, kAt, 6, 7));
  EXPECT_EQ(first_flag(flags, kAt), static_cast<long>(kAt));
  // Clipped updates still move the mean: the new level is learned within ~10/alpha.
  EXPECT_LT(flag_rate(flags, kAt + 400, kN), 0.01);
}

TEST(Ewma, FlagsAVarianceIncreaseWithin20Points) {
  const auto flags = run(EwmaDetector({}), with_variance_change(kN, kAt, 4, 11));
  const long at = first_flag(flags, kAt);
  ASSERT_GE(at, 0);
  EXPECT_LE(at - static_cast<long>(kAt), 20);
}

TEST(Ewma, CleanNoiseFlagsUnderOneInAThousand) {
  EwmaDetector d({});
  std::vector<bool> flags;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    for (const double x : noise(5000, seed)) flags.push_back(d.observe(x).flag);
  }
  EXPECT_LT(flag_rate(flags, d.warmup(), flags.size()), 0.001);
}

TEST(Ewma, WarmupGivesNoOpinionAndGapsAreSkipped) {
  EwmaDetector d({0.1, 4, 0});
  EXPECT_EQ(d.warmup(), 20u);
  for (int i = 0; i < 20; ++i) {
    const Verdict v = d.observe(i % 2 ? 1.0 : -1.0);
    EXPECT_EQ(v.score, 0);
    EXPECT_TRUE(std::isnan(v.expected_low));
  }
  EXPECT_FALSE(d.observe(std::nan("")).flag);
  const Verdict v = d.observe(100);
  EXPECT_TRUE(v.flag);
  EXPECT_GT(v.score, 0.9);
  EXPECT_LT(v.expected_high, 100);
  EXPECT_THROW(EwmaDetector({0, 4, 0}), std::invalid_argument);
  EXPECT_THROW(EwmaDetector({0.5, -1, 0}), std::invalid_argument);
}

TEST(Mad, FlagsSpikesLevelShiftsAndVarianceChanges) {
  const auto spike = run(MadDetector({}), with_spike(kN, kAt, 8, 3));
  EXPECT_EQ(first_flag(spike, kAt), static_cast<long>(kAt));
  const auto shift = run(MadDetector({}), with_level_shift(kN, kAt, 6, 3));
  EXPECT_EQ(first_flag(shift, kAt), static_cast<long>(kAt));
  const auto var = run(MadDetector({}), with_variance_change(kN, kAt, 4, 3));
  const long at = first_flag(var, kAt);
  ASSERT_GE(at, 0);
  EXPECT_LE(at - static_cast<long>(kAt), 20);
}

TEST(Mad, CleanNoiseFlagsUnderOneInAThousand) {
  MadDetector d({});
  std::vector<bool> flags;
  for (const double x : noise(20000, 5)) flags.push_back(d.observe(x).flag);
  EXPECT_LT(flag_rate(flags, d.warmup(), flags.size()), 0.001);
}

TEST(Mad, MostlyConstantSeriesDoesNotFlagEveryWiggle) {
  MadDetector d({20, 4.5});
  std::vector<bool> flags;
  for (int i = 0; i < 400; ++i) flags.push_back(d.observe(i % 7 == 0 ? 11.0 : 10.0).flag);
  EXPECT_EQ(first_flag(flags, 0), -1);
  EXPECT_TRUE(d.observe(50).flag);
}

TEST(Cusum, FindsASmallLevelShiftWithin15Points) {
  // 1.5 sigma is invisible to a z-score band but accumulates here: expected
  // delay h / (shift - k) = 5 points.
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto flags = run(CusumDetector({}), with_level_shift(kN, kAt, 1.5, seed));
    const long at = first_flag(flags, kAt);
    ASSERT_GE(at, 0) << "seed " << seed;
    EXPECT_LE(at - static_cast<long>(kAt), 15) << "seed " << seed;
  }
}

TEST(Cusum, RelearnsTheLevelAfterASignal) {
  CusumDetector d({});
  const auto series = with_level_shift(kN, kAt, 4, 9);
  std::vector<bool> flags;
  for (const double x : series) flags.push_back(d.observe(x).flag);
  // One signal at the shift, then a new baseline: the new level is normal.
  EXPECT_GE(first_flag(flags, kAt), static_cast<long>(kAt));
  EXPECT_LT(flag_rate(flags, kAt + 200, kN), 0.01);
}

TEST(Cusum, CleanNoiseFalseAlarmsAsTheoryExpects) {
  // Two-sided k = 0.5, h = 5: an in-control run length of ~465 points.
  CusumDetector d({});
  std::vector<bool> flags;
  for (const double x : noise(40000, 21)) flags.push_back(d.observe(x).flag);
  EXPECT_LT(flag_rate(flags, d.warmup(), flags.size()), 0.005);
}

TEST(Band, ScoresInsideAndOutsideAndNeedsConsecutiveTicks) {
  BandDetector d({2});
  Verdict v = d.observe(10, 0, 20);
  EXPECT_DOUBLE_EQ(v.score, 0);
  EXPECT_FALSE(v.flag);
  EXPECT_DOUBLE_EQ(d.observe(20, 0, 20).score, 0.5);
  v = d.observe(25, 0, 20);
  EXPECT_GT(v.score, 0.5);
  EXPECT_FALSE(v.flag);  // one tick outside
  v = d.observe(-5, 0, 20);
  EXPECT_TRUE(v.flag);  // two in a row
  EXPECT_EQ(v.expected_low, 0);
  EXPECT_EQ(v.expected_high, 20);
  EXPECT_FALSE(d.observe(5, 0, 20).flag);
  EXPECT_THROW(d.observe(5, 20, 0), std::invalid_argument);
  EXPECT_GT(d.observe(1000, 0, 20).score, d.observe(30, 0, 20).score);
}

}  // namespace
}  // namespace lp::detect::testing
