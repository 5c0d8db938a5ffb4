// Rolling median and MAD: the robust z-score of a value against the last
// `window` values, (x - median) / (1.4826 * MAD). Outliers barely move the
// median or the MAD, so a burst of them stays visible while it lasts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "verdict.hpp"

namespace lp::detect {

struct MadOptions {
  std::size_t window = 120;
  double threshold = 4.5;  // robust standard deviations
};

class MadDetector {
 public:
  explicit MadDetector(MadOptions options);  // std::invalid_argument on bad options
  Verdict observe(double value);
  std::uint64_t warmup() const { return o_.window; }

 private:
  MadOptions o_;
  std::deque<double> recent_;
  std::vector<double> scratch_;
};

}  // namespace lp::detect
