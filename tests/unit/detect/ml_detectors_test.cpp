// Isolation Forest and One-Class SVM on series with known anomalies, through
// the sliding-window protocol the plugins use; plus the forest's arithmetic
// and determinism.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "isolation_forest.hpp"
#include "one_class_svm.hpp"
#include "series.hpp"
#include "sliding_window.hpp"

namespace lp::detect::testing {
namespace {

constexpr std::size_t kN = 2000;
constexpr std::size_t kAt = 1200;

template <typename Model>
std::vector<double> scores(Model model, const std::vector<double>& series, WindowOptions o = {}) {
  SlidingWindow<Model> w(o, std::move(model));
  std::vector<double> out;
  for (const double x : series) out.push_back(w.observe({&x, 1}).value_or(0));
  return out;
}

std::vector<bool> above(const std::vector<double>& s, double threshold) {
  std::vector<bool> flags;
  for (const double x : s) flags.push_back(x > threshold);
  return flags;
}

TEST(IsolationForest, AveragePathLengthMatchesThePaper) {
  EXPECT_EQ(average_path_length(1), 0);
  EXPECT_EQ(average_path_length(2), 1);
  EXPECT_NEAR(average_path_length(256), 10.2448, 1e-3);  // c(256) in Liu et al.
}

TEST(IsolationForest, IsolatedPointsScoreHighAndDenseOnesNear05OrBelow) {
  arma::mat points(1, 256);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0, 1);
  for (arma::uword i = 0; i < points.n_cols; ++i) points(0, i) = normal(rng);
  IsolationForest forest({});
  forest.fit(points);
  EXPECT_GT(forest.score(arma::vec{8.0}), 0.7);
  EXPECT_LT(forest.score(arma::vec{0.0}), 0.5);
}

TEST(IsolationForest, SameSeedSameScoresOtherSeedOtherScores) {
  const auto series = noise(800, 4);
  const auto a = scores(IsolationForest({100, 256, 7}), series);
  const auto b = scores(IsolationForest({100, 256, 7}), series);
  const auto c = scores(IsolationForest({100, 256, 8}), series);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

// Anomalies are flagged at once (spike, shift) or within 20 points (variance);
// the clean-noise tests bound the false flags elsewhere.
TEST(IsolationForest, FlagsSpikesShiftsAndVarianceChanges) {
  const double threshold = 0.75;
  EXPECT_EQ(
      first_flag(above(scores(IsolationForest({}), with_spike(kN, kAt, 8, 2)), threshold), kAt),
      static_cast<long>(kAt));
  EXPECT_EQ(
      first_flag(above(scores(IsolationForest({}), with_level_shift(kN, kAt, 6, 2)), threshold),
                 kAt),
      static_cast<long>(kAt));
  const long at = first_flag(
      above(scores(IsolationForest({}), with_variance_change(kN, kAt, 4, 2)), threshold), kAt);
  ASSERT_GE(at, 0);
  EXPECT_LE(at - static_cast<long>(kAt), 20);
}

TEST(IsolationForest, CleanNoiseFlagsUnderOnePercent) {
  const auto s = scores(IsolationForest({}), noise(10000, 6));
  EXPECT_LT(flag_rate(above(s, 0.75), 256, s.size()), 0.01);
}

// Two KPIs that move together (latency follows load): a point with ordinary
// values on each axis but breaking the relation is the anomaly.
arma::mat correlated(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  std::normal_distribution<double> small(0, 0.1);
  arma::mat m(2, n);
  for (arma::uword i = 0; i < n; ++i) {
    m(0, i) = normal(rng);
    m(1, i) = m(0, i) + small(rng);
  }
  return m;
}

TEST(IsolationForest, MultivariateSeesABrokenRelation) {
  IsolationForest forest({});
  forest.fit(correlated(1024, 5));
  const double broken = forest.score(arma::vec{1.5, -1.5});
  const double usual = forest.score(arma::vec{1.5, 1.5});
  EXPECT_GT(broken, 0.6);
  EXPECT_GT(broken, usual + 0.1);
}

TEST(OneClassSvm, FlagsSpikesShiftsAndVarianceChanges) {
  const double threshold = 0.95;
  EXPECT_EQ(first_flag(above(scores(OneClassSvm({}), with_spike(kN, kAt, 8, 2)), threshold), kAt),
            static_cast<long>(kAt));
  EXPECT_EQ(
      first_flag(above(scores(OneClassSvm({}), with_level_shift(kN, kAt, 6, 2)), threshold), kAt),
      static_cast<long>(kAt));
  const long at = first_flag(
      above(scores(OneClassSvm({}), with_variance_change(kN, kAt, 4, 2)), threshold), kAt);
  ASSERT_GE(at, 0);
  EXPECT_LE(at - static_cast<long>(kAt), 20);
}

TEST(OneClassSvm, CleanNoiseFlagsUnderOnePercent) {
  const auto s = scores(OneClassSvm({}), noise(6000, 6));
  EXPECT_LT(flag_rate(above(s, 0.95), 256, s.size()), 0.01);
}

TEST(OneClassSvm, BoundaryScoresOneHalfAndTheRelationMatters) {
  OneClassSvm svm({});
  svm.fit(correlated(1024, 5));
  EXPECT_GT(svm.rho(), 0);
  EXPECT_GT(svm.support_vectors(), 0u);
  EXPECT_GT(svm.score(arma::vec{1.5, -1.5}), 0.9);
  EXPECT_LT(svm.score(arma::vec{0.2, 0.2}), 0.5);
  // Deterministic: the same data gives the same model.
  OneClassSvm again({});
  again.fit(correlated(1024, 5));
  EXPECT_EQ(svm.decision(arma::vec{0.3, 0.1}), again.decision(arma::vec{0.3, 0.1}));
}

TEST(SlidingWindow, ShinglesAndFitsOnSchedule) {
  struct Counting {
    int fits = 0;
    arma::uword rows = 0;
    arma::uword cols = 0;
    void fit(const arma::mat& m) {
      ++fits;
      rows = m.n_rows;
      cols = m.n_cols;
    }
    double score(const arma::vec&) const { return 0.25; }
  };
  SlidingWindow<Counting> w({3, 32, 16, 8}, Counting{});
  EXPECT_EQ(w.warmup(), 18u);
  const double two[2] = {1, 2};
  EXPECT_FALSE(w.observe(two).has_value());  // shingle filling
  EXPECT_FALSE(w.observe(two).has_value());
  for (int i = 0; i < 15; ++i) EXPECT_EQ(w.observe(two), 0.0);  // before the first fit
  EXPECT_EQ(w.observe(two), 0.0);  // the 16th vector is scored, then the first fit
  EXPECT_EQ(w.model().fits, 1);
  EXPECT_EQ(w.model().rows, 6u);  // 3 ticks x 2 values
  EXPECT_EQ(w.observe(two), 0.25);
  for (int i = 0; i < 40; ++i) w.observe(two);
  EXPECT_EQ(w.model().fits, 6);  // 16, 24, 32, 40, 48, 56
  EXPECT_EQ(w.model().cols, 32u);
  const double one[1] = {1};
  EXPECT_THROW(w.observe(one), std::invalid_argument);
}

}  // namespace
}  // namespace lp::detect::testing
