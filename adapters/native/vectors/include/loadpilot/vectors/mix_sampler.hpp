// Picks a request type in proportion to its frequency in O(1) per draw
// (Vose's alias method), from one 64-bit random draw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "loadpilot/vectors/rng.hpp"

namespace lp::vectors {

class MixSampler {
 public:
  MixSampler() = default;
  // Weights >= 0, finite, with a positive sum; std::invalid_argument otherwise.
  explicit MixSampler(std::span<const double> weights);

  std::size_t size() const { return alias_.size(); }
  // The normalised weight of `index`.
  double probability(std::size_t index) const { return probability_[index]; }

  std::size_t pick(Rng& rng) const { return pick_bits(rng.next()); }
  // High 32 bits choose a column, low 32 bits the coin.
  std::size_t pick_bits(uint64_t bits) const {
    const uint64_t column = ((bits >> 32) * alias_.size()) >> 32;
    return (bits & 0xffffffffULL) < threshold_[column] ? column : alias_[column];
  }

 private:
  std::vector<uint64_t> threshold_;  // keep-probability scaled to 2^32
  std::vector<uint32_t> alias_;
  std::vector<double> probability_;
};

}  // namespace lp::vectors
