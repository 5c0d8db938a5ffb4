// A small fast generator for mix picks and arrival gaps (one per I/O thread,
// so no sharing); statistical quality of SplitMix64 is ample here.
#pragma once

#include <cmath>
#include <cstdint>

namespace lp::native {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Exponential with mean 1 (Poisson inter-arrival gaps).
  double exponential() { return -std::log1p(-uniform()); }

 private:
  uint64_t state_;
};

}  // namespace lp::native
