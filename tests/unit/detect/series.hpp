// Synthetic KPI series with known anomalies for the detector tests: seeded
// Gaussian noise around a level, with a spike, a level shift or a variance
// change injected at a known index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace lp::detect::testing {

constexpr double kLevel = 100;
constexpr double kSigma = 5;

inline std::vector<double> noise(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(kLevel, kSigma);
  std::vector<double> v(n);
  for (double& x : v) x = normal(rng);
  return v;
}

inline std::vector<double> with_spike(std::size_t n, std::size_t at, double sigmas,
                                      std::uint64_t seed) {
  auto v = noise(n, seed);
  v[at] += sigmas * kSigma;
  return v;
}

inline std::vector<double> with_level_shift(std::size_t n, std::size_t at, double sigmas,
                                            std::uint64_t seed) {
  auto v = noise(n, seed);
  for (std::size_t i = at; i < n; ++i) v[i] += sigmas * kSigma;
  return v;
}

inline std::vector<double> with_variance_change(std::size_t n, std::size_t at, double factor,
                                                std::uint64_t seed) {
  auto v = noise(n, seed);
  for (std::size_t i = at; i < n; ++i) v[i] = kLevel + (v[i] - kLevel) * factor;
  return v;
}

// Index of the first flag at or after `from`, or -1.
template <typename Flags>
long first_flag(const Flags& flags, std::size_t from) {
  for (std::size_t i = from; i < flags.size(); ++i) {
    if (flags[i]) return static_cast<long>(i);
  }
  return -1;
}

// Share of flagged points in [from, to).
template <typename Flags>
double flag_rate(const Flags& flags, std::size_t from, std::size_t to) {
  std::size_t n = 0;
  for (std::size_t i = from; i < to; ++i) n += flags[i] ? 1 : 0;
  return static_cast<double>(n) / static_cast<double>(to - from);
}

}  // namespace lp::detect::testing
