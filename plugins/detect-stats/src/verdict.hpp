// What a streaming detector says about one value: a score in [0, 1], a flag,
// and the range it expected the value in (NaN while it has no opinion).
#pragma once

#include <cmath>
#include <limits>

namespace lp::detect {

struct Verdict {
  double score = 0;
  bool flag = false;
  double expected_low = std::numeric_limits<double>::quiet_NaN();
  double expected_high = std::numeric_limits<double>::quiet_NaN();
};

// |z| as a two-sided confidence: P(|Z| < |z|) for a standard normal Z. 0 at
// the expected value, 0.683 at one sigma, 0.9973 at three. Keeps resolution
// up to |z| of about 8, far enough for any threshold a user picks.
inline double z_score_to_unit(double z) {
  if (!std::isfinite(z)) return std::isnan(z) ? 0.0 : 1.0;
  return std::erf(std::fabs(z) / std::sqrt(2.0));
}

}  // namespace lp::detect
