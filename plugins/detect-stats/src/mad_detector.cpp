#include "mad_detector.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lp::detect {
namespace {

// The median of `v` (reordered in place).
double median(std::vector<double>& v) {
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

}  // namespace

MadDetector::MadDetector(MadOptions options) : o_(options) {
  if (o_.window < 5) throw std::invalid_argument("window must be >= 5");
  if (!(o_.threshold > 0)) throw std::invalid_argument("threshold must be > 0");
}

Verdict MadDetector::observe(double value) {
  Verdict v;
  if (!std::isfinite(value)) return v;
  if (recent_.size() >= o_.window) {
    scratch_.assign(recent_.begin(), recent_.end());
    const double med = median(scratch_);
    for (double& x : scratch_) x = std::fabs(x - med);
    // 1.4826 * MAD estimates the standard deviation of normal data. A floor
    // keeps a series that is mostly constant from flagging every wiggle.
    const double floor = 1e-9 * std::max(1.0, std::fabs(med));
    double sigma = 1.4826 * median(scratch_);
    if (sigma <= floor) {
      // More than half the window is one value: fall back to the standard
      // deviation, which still sees how often the other values occur.
      double sum = 0;
      double sq = 0;
      for (const double x : recent_) {
        sum += x;
        sq += x * x;
      }
      const double n = static_cast<double>(recent_.size());
      const double mean = sum / n;
      sigma = std::max(std::sqrt(std::max(sq / n - mean * mean, 0.0)), floor);
    }
    const double z = (value - med) / sigma;
    v.score = z_score_to_unit(z, o_.threshold);
    v.flag = std::fabs(z) > o_.threshold;
    v.expected_low = med - o_.threshold * sigma;
    v.expected_high = med + o_.threshold * sigma;
    recent_.pop_front();
  }
  recent_.push_back(value);
  return v;
}

}  // namespace lp::detect
