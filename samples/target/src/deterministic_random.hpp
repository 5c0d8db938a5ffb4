// Counter-based random draws: draw n of a stream depends only on (seed, stream, n), so the
// number of injected failures over N requests is reproducible whatever the interleaving.
#pragma once

#include <cstdint>

namespace lp::demo_target {

enum class RandomStream : std::uint64_t { kFail = 1, kJitter = 2 };

// SplitMix64's finaliser: a cheap, well-mixed 64-bit hash.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1).
constexpr double uniform_draw(std::uint64_t seed, RandomStream stream, std::uint64_t n) {
  const std::uint64_t key = splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(stream)));
  return static_cast<double>(splitmix64(key + n) >> 11) * 0x1.0p-53;
}

}  // namespace lp::demo_target
