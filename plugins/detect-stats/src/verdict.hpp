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

// |z| against the flag threshold t as a score: |z| / (|z| + t). 0 at the
// expected value, 0.5 exactly at the threshold (so score > 0.5 is a flag),
// and it never saturates: a 50-sigma outlier still outranks a 20-sigma one,
// which a threshold chosen later (as NAB's optimiser does) needs. A normal
// tail probability would round to exactly 1 beyond ~8 sigma.
inline double z_score_to_unit(double z, double threshold) {
  if (!std::isfinite(z)) return std::isnan(z) ? 0.0 : 1.0;
  const double a = std::fabs(z);
  return a / (a + threshold);
}

}  // namespace lp::detect
