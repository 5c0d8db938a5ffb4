// Two-sided CUSUM for level shifts. A baseline of `baseline` values gives the
// reference mean and deviation; standardised deviations beyond the slack `k`
// accumulate, and a sum beyond `h` signals a shift. After a signal the
// detector learns a new baseline at the new level.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "verdict.hpp"

namespace lp::detect {

struct CusumOptions {
  std::size_t baseline = 60;  // values that set the reference level
  double k = 0.5;             // slack, in standard deviations
  double h = 5.0;             // decision threshold, in standard deviations
};

class CusumDetector {
 public:
  explicit CusumDetector(CusumOptions options);  // std::invalid_argument on bad options
  Verdict observe(double value);
  std::uint64_t warmup() const { return o_.baseline; }
  double upper() const { return upper_; }
  double lower() const { return lower_; }

 private:
  CusumOptions o_;
  std::vector<double> learning_;  // the baseline being collected
  bool ready_ = false;
  double mean_ = 0;
  double sd_ = 1;
  double upper_ = 0;
  double lower_ = 0;
};

}  // namespace lp::detect
