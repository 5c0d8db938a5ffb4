// NAB scoring on tiny corpora where every figure is worked out by hand.
// One series of 20 rows: rows 0-2 are probationary (floor(0.15 * 20) = 3),
// the window is rows 10-14 (width 5). Sweep scores, from sweeper.py:
//   in the window   tpWeight * S(-(14 - i + 1) / 5) / S(-1)
//   after it        fpWeight * S((i - 14) / 4)
//   before it       -fpWeight
// with S(x) = 2 / (1 + e^(5x)) - 1, and S(x) = -1 beyond x = 3.
#include "nab/scorer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace lp::nab {
namespace {

const Profile kStandard{"standard", 1.0, 0.11, 1.0, 1.0};
const Profile kLowFp{"reward_low_FP_rate", 1.0, 0.22, 1.0, 1.0};
const Profile kLowFn{"reward_low_FN_rate", 1.0, 0.11, 2.0, 1.0};

double s(double x) {
  return 2 / (1 + std::exp(5 * x)) - 1;
}

Series series(std::string name, std::size_t rows, std::vector<Window> windows) {
  Series out;
  out.name = std::move(name);
  for (std::size_t i = 0; i < rows; ++i) {
    out.timestamps_ns.push_back(static_cast<std::int64_t>(i) * 300'000'000'000);
    out.values.push_back(0);
  }
  out.windows = std::move(windows);
  return out;
}

Corpus one_window() {
  Corpus c;
  c.series.push_back(series("a.csv", 20, {{10, 14}}));
  c.profiles = {kStandard, kLowFp, kLowFn};
  return c;
}

// 100 rows, window 50-54: long enough that detecting every row costs more
// than missing the window (unlike one_window()).
Corpus long_window() {
  Corpus c;
  c.series.push_back(series("long.csv", 100, {{50, 54}}));
  c.profiles = {kStandard, kLowFp, kLowFn};
  return c;
}

// Scores of 1 at the given rows, 0 elsewhere.
Scores fire(const Corpus& c, std::vector<std::vector<std::size_t>> rows) {
  Scores out;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    std::vector<double> v(c.series[i].values.size(), 0.0);
    for (const std::size_t r : rows[i]) v[r] = 1.0;
    out.push_back(v);
  }
  return out;
}

double raw(const Corpus& c, const Scores& scores, const Profile& p = kStandard) {
  return score(c, scores, p, 0.5).score;
}

TEST(NabScorer, ScaledSigmoid) {
  EXPECT_NEAR(scaled_sigmoid(-1.0), 0.98661429815143, 1e-13);
  EXPECT_NEAR(scaled_sigmoid(-0.5), 0.84828363995751, 1e-13);
  EXPECT_DOUBLE_EQ(scaled_sigmoid(0.0), 0.0);
  EXPECT_NEAR(scaled_sigmoid(1.0), -0.98661429815143, 1e-13);
  EXPECT_NEAR(scaled_sigmoid(3.0), s(3.0), 1e-15);  // still the sigmoid at 3
  EXPECT_EQ(scaled_sigmoid(3.0001), -1.0);
}

TEST(NabScorer, ProbationaryLength) {
  EXPECT_EQ(probationary_length(1), 0u);
  EXPECT_EQ(probationary_length(20), 3u);
  EXPECT_EQ(probationary_length(4032), 604u);  // floor(604.8)
  EXPECT_EQ(probationary_length(5000), 750u);
  EXPECT_EQ(probationary_length(22695), 750u);  // capped at 0.15 * 5000
}

TEST(NabScorer, NothingDetectedCostsFnPerWindow) {
  const Corpus c = one_window();
  const auto r = score(c, fire(c, {{}}), kStandard, 0.5);
  EXPECT_DOUBLE_EQ(r.score, -1.0);
  // Scored rows 3..19: 5 in the window, 12 outside.
  EXPECT_EQ(r.counts.tp, 0);
  EXPECT_EQ(r.counts.fn, 5);
  EXPECT_EQ(r.counts.fp, 0);
  EXPECT_EQ(r.counts.tn, 12);
  EXPECT_DOUBLE_EQ(raw(c, fire(c, {{}}), kLowFn), -2.0);
}

TEST(NabScorer, DetectionAtTheWindowStartScoresTpWeight) {
  const Corpus c = one_window();
  EXPECT_DOUBLE_EQ(raw(c, fire(c, {{10}})), 1.0);
}

TEST(NabScorer, LaterDetectionsInTheWindowScoreLess) {
  const Corpus c = one_window();
  EXPECT_NEAR(raw(c, fire(c, {{12}})), s(-0.6) / s(-1), 1e-12);  // 0.9174...
  EXPECT_NEAR(raw(c, fire(c, {{14}})), s(-0.2) / s(-1), 1e-12);  // 0.4684...
  EXPECT_GT(raw(c, fire(c, {{12}})), raw(c, fire(c, {{14}})));
}

TEST(NabScorer, OnlyTheFirstDetectionInAWindowCounts) {
  const Corpus c = one_window();
  const auto r = score(c, fire(c, {{11, 12, 13}}), kStandard, 0.5);
  EXPECT_NEAR(r.score, s(-0.8) / s(-1), 1e-12);
  EXPECT_EQ(r.counts.tp, 3);  // every detection in the window is a tp row
  EXPECT_EQ(r.counts.fn, 2);
}

TEST(NabScorer, FalsePositiveBeforeAnyWindowCostsFpWeight) {
  const Corpus c = one_window();
  const auto r = score(c, fire(c, {{5}}), kStandard, 0.5);
  EXPECT_NEAR(r.score, -1.0 - 0.11, 1e-12);
  EXPECT_EQ(r.counts.fp, 1);
  EXPECT_EQ(r.counts.tn, 11);
}

TEST(NabScorer, FalsePositivesAfterAWindowAreWeightedByDistance) {
  const Corpus c = one_window();
  // Row 15 is 1 past the window's last row: S(1 / 4); row 19: S(5 / 4).
  EXPECT_NEAR(raw(c, fire(c, {{10, 15}})), 1.0 + 0.11 * s(0.25), 1e-12);
  EXPECT_NEAR(raw(c, fire(c, {{10, 19}})), 1.0 + 0.11 * s(1.25), 1e-12);
  // Beyond 3 window widths: the full -fpWeight.
  Corpus far;
  far.series.push_back(series("far.csv", 100, {{20, 24}}));
  EXPECT_NEAR(raw(far, fire(far, {{20, 36}})), 1.0 + 0.11 * s(3.0), 1e-12);  // 12 / 4
  EXPECT_NEAR(raw(far, fire(far, {{20, 37}})), 1.0 - 0.11, 1e-12);           // 13 / 4
}

TEST(NabScorer, ProbationaryRowsAreIgnored) {
  const Corpus c = one_window();
  const auto r = score(c, fire(c, {{0, 1, 2}}), kStandard, 0.5);
  EXPECT_DOUBLE_EQ(r.score, -1.0);
  EXPECT_EQ(r.counts.fp, 0);
  EXPECT_EQ(r.counts.tp + r.counts.tn + r.counts.fp + r.counts.fn, 17);
}

TEST(NabScorer, ThresholdIsInclusive) {
  const Corpus c = one_window();
  Scores scores = fire(c, {{}});
  scores[0][10] = 0.5;
  EXPECT_DOUBLE_EQ(score(c, scores, kStandard, 0.5).score, 1.0);
  EXPECT_DOUBLE_EQ(score(c, scores, kStandard, 0.5000001).score, -1.0);
  EXPECT_DOUBLE_EQ(score(c, scores, kStandard, 2.0).score, -1.0);  // above everything
}

// One detected window with an earlier false positive, one missed window in a
// second series: each profile's cost matrix shows in the total.
TEST(NabScorer, CostMatrixOfEachProfile) {
  Corpus c = one_window();
  c.series.push_back(series("b.csv", 20, {{8, 12}}));
  const Scores scores = fire(c, {{5, 12}, {}});
  const double tp = s(-0.6) / s(-1);
  EXPECT_NEAR(raw(c, scores, kStandard), tp - 0.11 - 1.0, 1e-12);
  EXPECT_NEAR(raw(c, scores, kLowFp), tp - 0.22 - 1.0, 1e-12);
  EXPECT_NEAR(raw(c, scores, kLowFn), tp - 0.11 - 2.0, 1e-12);
  const auto r = score(c, scores, kStandard, 0.5);
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_NEAR(r.series[0].score, tp - 0.11, 1e-12);
  EXPECT_DOUBLE_EQ(r.series[1].score, -1.0);
}

TEST(NabScorer, OptimiserPicksTheBestThresholdOverTheCorpus) {
  const Corpus c = one_window();
  Scores scores = fire(c, {{}});
  scores[0][5] = 0.95;  // a false positive, above the true positive
  scores[0][10] = 0.9;
  // Candidates: 1.1 -> -1, 0.95 -> -1.11, 0.9 -> 1 - 0.11, 0 -> every row.
  const Optimum best = optimise_threshold(c, scores, kStandard);
  EXPECT_DOUBLE_EQ(best.threshold, 0.9);
  EXPECT_NEAR(best.score, 0.89, 1e-12);
  // With the low-FP profile the false positive costs 0.22: still worth it.
  EXPECT_NEAR(optimise_threshold(c, scores, kLowFp).score, 0.78, 1e-12);
}

TEST(NabScorer, OptimiserKeepsTheHigherThresholdOnTies) {
  const Corpus c = one_window();
  Scores scores = fire(c, {{}});
  scores[0][10] = 0.9;
  scores[0][11] = 0.8;  // a second detection in the window adds nothing
  const Optimum best = optimise_threshold(c, scores, kStandard);
  EXPECT_DOUBLE_EQ(best.threshold, 0.9);
  EXPECT_DOUBLE_EQ(best.score, 1.0);
}

TEST(NabScorer, OptimiserMayDetectNothing) {
  const Corpus c = long_window();
  Scores scores = fire(c, {{20, 21, 22, 23}});  // false positives only
  const Optimum best = optimise_threshold(c, scores, kStandard);
  EXPECT_DOUBLE_EQ(best.threshold, 1.1);
  EXPECT_DOUBLE_EQ(best.score, -1.0);
  // Scores above 1.1 move the "detect nothing" threshold above them.
  scores[0][20] = 7.0;
  EXPECT_GT(optimise_threshold(c, scores, kStandard).threshold, 7.0);
}

// NAB's null detector (0.5 everywhere) does best by detecting nothing: its
// raw score is -fnWeight per window.
TEST(NabScorer, NormalisedAgainstNullAndPerfect) {
  const Corpus c = long_window();
  Scores scores = fire(c, {{}});
  scores[0][30] = 0.95;
  scores[0][50] = 0.9;
  const NormalisedScores n = normalised_scores(c, scores);
  const ProfileScore& standard = n.at("standard");
  EXPECT_DOUBLE_EQ(standard.null_raw, -1.0);
  EXPECT_DOUBLE_EQ(standard.perfect, 1.0);
  EXPECT_NEAR(standard.normalised, 100 * (0.89 + 1) / 2, 1e-9);
  EXPECT_NEAR(n.reward_low_fp_rate(), 100 * (0.78 + 1) / 2, 1e-9);
  EXPECT_NEAR(n.reward_low_fn_rate(), 100 * (0.89 + 2) / 3, 1e-9);
  EXPECT_THROW(n.at("nonsense"), std::out_of_range);
}

TEST(NabScorer, OneRowWindowCountsLaterFalsePositivesInFull) {
  Corpus c;
  c.series.push_back(series("a.csv", 20, {{10, 10}}));
  // NAB would divide by zero (width - 1); the limit is -fpWeight.
  EXPECT_NEAR(raw(c, fire(c, {{10, 12}})), 1.0 - 0.11, 1e-12);
}

TEST(NabScorer, RejectsScoresThatDoNotFitTheCorpus) {
  const Corpus c = one_window();
  EXPECT_THROW(score(c, Scores{}, kStandard, 0.5), std::invalid_argument);
  Scores short_series = {std::vector<double>(19, 0.0)};
  try {
    score(c, short_series, kStandard, 0.5);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("a.csv has 20 rows but 19 scores"), std::string::npos)
        << e.what();
  }
  Scores nan = fire(c, {{}});
  nan[0][7] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(optimise_threshold(c, nan, kStandard), std::invalid_argument);
}

TEST(NabScorer, StoredLikeNabResultsFiles) {
  EXPECT_EQ(as_stored_by_nab(0.99999999999999967), 1.0);
  EXPECT_EQ(as_stored_by_nab(0.6074685657264321), 0.607468565726);
  EXPECT_EQ(as_stored_by_nab(0.0), 0.0);
}

}  // namespace
}  // namespace lp::nab
