// Picks a request type in proportion to the mix weights.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "rng.hpp"

namespace lp::native {

class Mix {
 public:
  // Weights are checked by the engine: >= 0 and a positive sum.
  void set(std::span<const double> weights) {
    cumulative_.assign(weights.size(), 0.0);
    double sum = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) cumulative_[i] = sum += weights[i];
  }

  std::size_t pick(Rng& rng) const {
    if (cumulative_.size() <= 1) return 0;
    const double r = rng.uniform() * cumulative_.back();
    // Few types in practice: a linear scan beats a binary search.
    for (std::size_t i = 0; i + 1 < cumulative_.size(); ++i) {
      if (r < cumulative_[i]) return i;
    }
    return cumulative_.size() - 1;
  }

 private:
  std::vector<double> cumulative_;
};

}  // namespace lp::native
