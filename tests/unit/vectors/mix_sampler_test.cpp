#include "loadpilot/vectors/mix_sampler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace lp::vectors {
namespace {

std::vector<double> observed(const MixSampler& mix, uint64_t seed, int draws) {
  Rng rng(seed);
  std::vector<double> counts(mix.size(), 0);
  for (int i = 0; i < draws; ++i) counts[mix.pick(rng)] += 1;
  for (auto& c : counts) c /= draws;
  return counts;
}

TEST(MixSampler, FrequenciesWithinToleranceOver100kDraws) {
  const std::vector<double> weights = {50, 30, 15, 4.5, 0.5};
  const MixSampler mix(weights);
  const auto seen = observed(mix, 1234, 100000);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double p = weights[i] / 100;
    const double sigma = std::sqrt(p * (1 - p) / 100000);
    EXPECT_NEAR(seen[i], p, 5 * sigma) << "type " << i;
    EXPECT_DOUBLE_EQ(mix.probability(i), p);
  }
}

TEST(MixSampler, ManyTypesUnnormalised) {
  std::vector<double> weights;
  for (int i = 1; i <= 37; ++i) weights.push_back(i);
  const MixSampler mix(weights);
  const auto seen = observed(mix, 99, 100000);
  const double total = 37.0 * 38 / 2;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    EXPECT_NEAR(seen[i], weights[i] / total, 0.004) << i;
  }
}

TEST(MixSampler, DeterministicGivenTheSeed) {
  const MixSampler mix(std::vector<double>{60, 40});
  Rng a(5), b(5), c(6);
  std::vector<std::size_t> xs, ys, zs;
  for (int i = 0; i < 1000; ++i) {
    xs.push_back(mix.pick(a));
    ys.push_back(mix.pick(b));
    zs.push_back(mix.pick(c));
  }
  EXPECT_EQ(xs, ys);
  EXPECT_NE(xs, zs);
}

TEST(MixSampler, ZeroWeightIsNeverPickedAndOneTypeAlways) {
  const MixSampler mix(std::vector<double>{0, 1, 0});
  Rng rng(1);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(mix.pick(rng), 1u);
  const MixSampler one(std::vector<double>{100});
  EXPECT_EQ(one.pick_bits(0), 0u);
  EXPECT_EQ(one.pick_bits(~uint64_t{0}), 0u);
}

TEST(MixSampler, EdgeBitsStayInRange) {
  const MixSampler mix(std::vector<double>{1, 2, 3});
  EXPECT_LT(mix.pick_bits(0), 3u);
  EXPECT_LT(mix.pick_bits(~uint64_t{0}), 3u);
}

TEST(MixSampler, RejectsBadWeights) {
  EXPECT_THROW(MixSampler(std::vector<double>{}), std::invalid_argument);
  EXPECT_THROW(MixSampler(std::vector<double>{0, 0}), std::invalid_argument);
  EXPECT_THROW(MixSampler(std::vector<double>{1, -1}), std::invalid_argument);
  EXPECT_THROW(MixSampler(std::vector<double>{1, NAN}), std::invalid_argument);
}

}  // namespace
}  // namespace lp::vectors
