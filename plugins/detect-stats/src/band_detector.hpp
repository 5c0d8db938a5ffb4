// The residual test against a forecast: each tick brings the observed value
// and the forecaster's prediction interval [low, high] for it (the host wires
// the run's forecast in as the second and third values). Inside the band the
// score grows from 0 at its middle to 0.5 at its edges; outside it rises
// towards 1 with the distance in half-widths. `consecutive` ticks outside
// raise the flag, so one stray point in a 90 % band does not.
#pragma once

#include <cstdint>

#include "verdict.hpp"

namespace lp::detect {

struct BandOptions {
  std::uint64_t consecutive = 1;
  // The band is at least this wide on each side of its middle, in the
  // metric's unit: a tight forecast of a steady metric should not make
  // noise-level moves anomalies.
  double min_half_width = 0;
};

class BandDetector {
 public:
  explicit BandDetector(BandOptions options);  // std::invalid_argument on bad options
  // std::invalid_argument when high < low.
  Verdict observe(double value, double low, double high);

 private:
  BandOptions o_;
  std::uint64_t outside_ = 0;
};

}  // namespace lp::detect
