#include "cusum_detector.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lp::detect {

CusumDetector::CusumDetector(CusumOptions options) : o_(options) {
  if (o_.baseline < 5) throw std::invalid_argument("baseline must be >= 5");
  if (!(o_.k >= 0)) throw std::invalid_argument("k must be >= 0");
  if (!(o_.h > 0)) throw std::invalid_argument("h must be > 0");
}

Verdict CusumDetector::observe(double value) {
  Verdict v;
  if (!std::isfinite(value)) return v;
  if (!ready_) {
    learning_.push_back(value);
    if (learning_.size() == o_.baseline) {
      double sum = 0;
      for (const double x : learning_) sum += x;
      mean_ = sum / static_cast<double>(learning_.size());
      double sq = 0;
      for (const double x : learning_) sq += (x - mean_) * (x - mean_);
      sd_ = std::sqrt(sq / static_cast<double>(learning_.size() - 1));
      sd_ = std::max(sd_, 1e-9 * std::max(1.0, std::fabs(mean_)));
      learning_.clear();
      upper_ = lower_ = 0;
      ready_ = true;
    }
    return v;
  }
  const double z = (value - mean_) / sd_;
  upper_ = std::max(0.0, upper_ + z - o_.k);
  lower_ = std::max(0.0, lower_ - z - o_.k);
  const double s = std::max(upper_, lower_);
  v.score = s / (s + o_.h);  // 0.5 at the decision threshold
  v.expected_low = mean_ - (o_.h + o_.k) * sd_;
  v.expected_high = mean_ + (o_.h + o_.k) * sd_;
  if (s > o_.h) {
    v.flag = true;
    ready_ = false;  // learn the new level
    learning_.clear();
  }
  return v;
}

}  // namespace lp::detect
