// EWMA with z-score bands: an exponentially weighted mean and variance of
// the series; a value more than `threshold` deviations away is flagged. A
// flagged value updates the estimates only up to the band's edge, so one
// spike neither drags the mean nor widens the band for long.
#pragma once

#include <cstdint>

#include "verdict.hpp"

namespace lp::detect {

struct EwmaOptions {
  double alpha = 0.02;       // weight of the newest value; ~2/alpha values of memory
  double threshold = 4.0;    // flag beyond this many standard deviations
  std::uint64_t warmup = 0;  // 0: ceil(2 / alpha)
  // A floor on the deviation, in the metric's unit: a very steady metric
  // (a median latency of 1.2 +- 0.03 ms) is not flagged for moving 0.5 ms.
  double min_stddev = 0;
};

class EwmaDetector {
 public:
  explicit EwmaDetector(EwmaOptions options);  // std::invalid_argument on bad options
  Verdict observe(double value);
  std::uint64_t warmup() const { return warmup_; }
  double mean() const { return mean_; }
  double stddev() const;

 private:
  EwmaOptions o_;
  std::uint64_t warmup_;
  std::uint64_t seen_ = 0;
  double mean_ = 0;
  double var_ = 0;
};

}  // namespace lp::detect
