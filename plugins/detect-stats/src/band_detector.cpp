#include "band_detector.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lp::detect {

BandDetector::BandDetector(BandOptions options) : o_(options) {
  if (o_.consecutive < 1) throw std::invalid_argument("consecutive must be >= 1");
  if (!(o_.min_half_width >= 0)) throw std::invalid_argument("min_half_width must be >= 0");
}

Verdict BandDetector::observe(double value, double low, double high) {
  Verdict v;
  if (!std::isfinite(value) || !std::isfinite(low) || !std::isfinite(high)) return v;
  if (high < low) throw std::invalid_argument("the band's high is below its low");
  const double mid = (low + high) / 2;
  if ((high - low) / 2 < o_.min_half_width) {
    low = mid - o_.min_half_width;
    high = mid + o_.min_half_width;
  }
  v.expected_low = low;
  v.expected_high = high;
  const double half = std::max((high - low) / 2, 1e-12 * std::max(1.0, std::fabs(mid)));
  const double d = std::fabs(value - mid) / half;  // 1 at the edges
  const bool outside = value < low || value > high;
  v.score = outside ? 0.5 + 0.5 * (1 - std::exp(-(d - 1))) : 0.5 * std::min(d, 1.0);
  outside_ = outside ? outside_ + 1 : 0;
  v.flag = outside_ >= o_.consecutive;
  return v;
}

}  // namespace lp::detect
