// NAB v1.1 scoring, ported from numenta/NAB: nab/sweeper.py (per-row sweep
// scores, scores by threshold), nab/optimizer.py (one threshold per profile
// over the whole corpus), nab/scorer.py (per-file scores at that threshold,
// summed) and Runner.normalize in nab/runner.py (100 * (raw - null) /
// (perfect - null)). Sums run in the order NAB's run them: windowedGaussian's
// published scores come out to ~1e-11, not just to the printed digits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nab/corpus.hpp"

namespace lp::nab {

inline constexpr double kProbationaryPercent = 0.15;

// 2 * sigmoid(-5 x) - 1, and -1 beyond x = 3 (sweeper.scaledSigmoid):
// 0.98661 at the left edge of a window (x = -1), 0 at its right edge.
double scaled_sigmoid(double relative_position);

// Leading rows of a series that are never scored:
// min(floor(0.15 * rows), 0.15 * 5000).
std::size_t probationary_length(std::size_t rows);

// Rows, as NAB counts them (scored rows only): a detection inside a window
// is a tp (every one of them, not just the first), outside one an fp.
struct Counts {
  std::int64_t tp = 0;
  std::int64_t tn = 0;
  std::int64_t fp = 0;
  std::int64_t fn = 0;
};

struct SeriesScore {
  double score = 0;
  Counts counts;
};

struct CorpusScore {
  double threshold = 0;
  double score = 0;  // the series' scores, summed
  Counts counts;
  std::vector<SeriesScore> series;  // corpus order
};

// The raw NAB score of a detector at one threshold: a row is a detection
// when its anomaly score is >= threshold. Per window only the earliest
// detection counts (it has the highest sweep score); a window without one
// costs fnWeight; each detection outside a window costs fpWeight times
// scaled_sigmoid of its distance past the preceding window (the full
// fpWeight before the first window). Throws std::invalid_argument when the
// scores do not fit the corpus or one is not finite.
CorpusScore score(const Corpus& corpus, const Scores& scores, const Profile& profile,
                  double threshold);

struct Optimum {
  double threshold = 0;
  double score = 0;
};

// The threshold with the highest corpus score for the profile, searched over
// every distinct anomaly score of the scored rows of all series together, as
// NAB's optimizer does (ties go to the higher threshold). "Detect nothing"
// is a candidate too, at threshold 1.1 (or just above the highest score).
Optimum optimise_threshold(const Corpus& corpus, const Scores& scores, const Profile& profile);

// NAB's published results were scored from CSV files that Python 2 wrote
// with str(float), which keeps 12 significant digits: a windowedGaussian
// score of 0.99999999999999967 was stored, and scored, as 1.0. Rounds a
// score the same way (scores near 1 decide NAB's optimal thresholds, so this
// is needed to reproduce the scoreboard).
double as_stored_by_nab(double score);

struct ProfileScore {
  std::string profile;
  double threshold = 0;   // the optimised one
  double raw = 0;         // score at that threshold
  double null_raw = 0;    // NAB's null detector (0.5 everywhere), optimised the same way
  double perfect = 0;     // windows * tpWeight
  double normalised = 0;  // 100 * (raw - null_raw) / (perfect - null_raw)
};

struct NormalisedScores {
  std::vector<ProfileScore> profiles;  // in the corpus' profile order

  // Throws std::out_of_range naming the profile.
  const ProfileScore& at(std::string_view profile) const;
  double standard() const { return at("standard").normalised; }
  double reward_low_fp_rate() const { return at("reward_low_FP_rate").normalised; }
  double reward_low_fn_rate() const { return at("reward_low_FN_rate").normalised; }
};

// The figures of NAB's scoreboard (final_results.json) for one detector:
// for each profile, the optimised threshold, the score there, normalised.
NormalisedScores normalised_scores(const Corpus& corpus, const Scores& scores);

}  // namespace lp::nab
