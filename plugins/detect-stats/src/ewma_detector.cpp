#include "ewma_detector.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lp::detect {

EwmaDetector::EwmaDetector(EwmaOptions options) : o_(options) {
  if (!(o_.alpha > 0 && o_.alpha <= 1)) throw std::invalid_argument("alpha must be in (0, 1]");
  if (!(o_.threshold > 0)) throw std::invalid_argument("threshold must be > 0");
  if (!(o_.min_stddev >= 0)) throw std::invalid_argument("min_stddev must be >= 0");
  warmup_ = o_.warmup > 0 ? o_.warmup : static_cast<std::uint64_t>(std::ceil(2.0 / o_.alpha));
}

double EwmaDetector::stddev() const {
  return std::sqrt(std::max(var_, 0.0));
}

Verdict EwmaDetector::observe(double value) {
  Verdict v;
  if (!std::isfinite(value)) return v;  // a gap: no opinion, no update
  if (seen_ == 0) {
    mean_ = value;
    var_ = 0;
    ++seen_;
    return v;
  }
  // A floor on the deviation keeps a flat series from flagging rounding noise.
  const double sd = std::max({stddev(), o_.min_stddev, 1e-9 * std::max(1.0, std::fabs(mean_))});
  const double z = (value - mean_) / sd;
  const bool warm = seen_ >= warmup_;
  if (warm) {
    v.score = z_score_to_unit(z, o_.threshold);
    v.flag = std::fabs(z) > o_.threshold;
    v.expected_low = mean_ - o_.threshold * sd;
    v.expected_high = mean_ + o_.threshold * sd;
  }
  // During warm-up every value counts in full; afterwards outliers are clipped.
  const double x =
      warm ? std::clamp(value, mean_ - o_.threshold * sd, mean_ + o_.threshold * sd) : value;
  // West's incremental EW variance; during warm-up a running average.
  const double a = warm ? o_.alpha : std::max(o_.alpha, 1.0 / static_cast<double>(seen_ + 1));
  const double diff = x - mean_;
  const double incr = a * diff;
  mean_ += incr;
  var_ = (1 - a) * (var_ + diff * incr);
  ++seen_;
  return v;
}

}  // namespace lp::detect
