#include "loadpilot/vectors/mix_sampler.hpp"

#include <cmath>
#include <stdexcept>

namespace lp::vectors {

MixSampler::MixSampler(std::span<const double> weights) {
  const std::size_t n = weights.size();
  if (n == 0) throw std::invalid_argument("MixSampler: no weights");
  if (n > 0xffffffffULL) throw std::invalid_argument("MixSampler: too many weights");
  double sum = 0;
  for (double w : weights) {
    if (!std::isfinite(w) || w < 0) throw std::invalid_argument("MixSampler: bad weight");
    sum += w;
  }
  if (!(sum > 0)) throw std::invalid_argument("MixSampler: weights sum to 0");

  probability_.resize(n);
  std::vector<double> scaled(n);
  std::vector<uint32_t> small;
  std::vector<uint32_t> large;
  for (std::size_t i = 0; i < n; ++i) {
    probability_[i] = weights[i] / sum;
    scaled[i] = probability_[i] * static_cast<double>(n);
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  threshold_.assign(n, uint64_t{1} << 32);
  alias_.resize(n);
  for (std::size_t i = 0; i < n; ++i) alias_[i] = static_cast<uint32_t>(i);
  // Vose: pair each under-full column with an over-full one that tops it up.
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back();
    small.pop_back();
    const uint32_t l = large.back();
    threshold_[s] = static_cast<uint64_t>(std::llround(scaled[s] * 4294967296.0));
    alias_[s] = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Whatever remains is full up to rounding: always keep it.
  for (uint32_t i : small) threshold_[i] = uint64_t{1} << 32;
  for (uint32_t i : large) threshold_[i] = uint64_t{1} << 32;
}

}  // namespace lp::vectors
