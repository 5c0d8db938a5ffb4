// NAB's windowedGaussian detector (nab/detectors/gaussian/
// windowedGaussian_detector.py), ported exactly: the score of a value is
// 1 - Q(value) under a normal fitted to the previous values (mean and
// population std, 1e-6 when 0), over a window that grows to 6400 values and
// then slides by steps of 100. The first value scores 0. Mean and std sum
// like numpy (pairwise); NAB's own results files agree to all 12 digits they
// store.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace lp::nab {

// The tail probability of a normal beyond x, on whichever side of the mean x
// lies (NAB's normalProbability, the Q-function via erfc).
double normal_probability(double x, double mean, double std);

class WindowedGaussian {
 public:
  static constexpr std::size_t kWindowSize = 6400;
  static constexpr std::size_t kStepSize = 100;

  // The anomaly score of `value`, then learns it.
  double observe(double value);

 private:
  void update_window();

  std::vector<double> window_;
  std::vector<double> step_buffer_;
  double mean_ = 0;
  double std_ = 1;
};

// A fresh detector run over one series.
std::vector<double> windowed_gaussian_scores(std::span<const double> values);

}  // namespace lp::nab
