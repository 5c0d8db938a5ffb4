#include "nab/windowed_gaussian.hpp"

#include <cmath>

namespace lp::nab {

namespace {

// numpy's pairwise summation (DOUBLE_pairwise_sum: blocks of up to 128
// values summed with 8 accumulators, larger ones split in two at a multiple
// of 8) of f(a[i]); np.sum adds its result to the identity 0. Taking f lets
// np.std square the deviations on the fly instead of storing them.
template <class F>
double pairwise_sum(const double* a, std::size_t n, const F& f) {
  if (n < 8) {
    double res = 0.;
    for (std::size_t i = 0; i < n; ++i) res += f(a[i]);
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (std::size_t k = 0; k < 8; ++k) r[k] = f(a[k]);
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (std::size_t k = 0; k < 8; ++k) r[k] += f(a[i + k]);
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += f(a[i]);
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2, f) + pairwise_sum(a + n2, n - n2, f);
}

template <class F>
double np_sum(const std::vector<double>& v, const F& f) {
  return 0. + pairwise_sum(v.data(), v.size(), f);
}

}  // namespace

double normal_probability(double x, double mean, double std) {
  if (x < mean) {
    // Symmetric around the mean: flip to the upper tail.
    const double xp = 2 * mean - x;
    return normal_probability(xp, mean, std);
  }
  const double z = (x - mean) / std;
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

double WindowedGaussian::observe(double value) {
  double score = 0.0;
  if (!window_.empty()) score = 1 - normal_probability(value, mean_, std_);
  if (window_.size() < kWindowSize) {
    window_.push_back(value);
    update_window();
  } else {
    step_buffer_.push_back(value);
    if (step_buffer_.size() == kStepSize) {
      window_.erase(window_.begin(), window_.begin() + kStepSize);
      window_.insert(window_.end(), step_buffer_.begin(), step_buffer_.end());
      step_buffer_.clear();
      update_window();
    }
  }
  return score;
}

// numpy.mean and numpy.std (population): sum / n, then the mean of the
// squared deviations, square-rooted.
void WindowedGaussian::update_window() {
  const double n = static_cast<double>(window_.size());
  mean_ = np_sum(window_, [](double x) { return x; }) / n;
  const double mean = mean_;
  std_ = std::sqrt(np_sum(window_, [mean](double x) { return (x - mean) * (x - mean); }) / n);
  if (std_ == 0.0) std_ = 0.000001;
}

std::vector<double> windowed_gaussian_scores(std::span<const double> values) {
  WindowedGaussian detector;
  std::vector<double> scores;
  scores.reserve(values.size());
  for (const double v : values) scores.push_back(detector.observe(v));
  return scores;
}

}  // namespace lp::nab
