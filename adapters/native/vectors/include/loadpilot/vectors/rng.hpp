// The random stream behind ${random_*}, ${uuid}, ${csv_random} and the mix:
// xoshiro256** seeded through splitmix64, so a seed reproduces a run. Not
// for secrets (a ${uuid} is unique enough for test data, not unguessable).
#pragma once

#include <cstdint>

namespace lp::vectors {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
  __extension__ typedef unsigned __int128 U128;  // GCC/Clang; __extension__ for -Wpedantic

 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }

  // A stream per (seed, stream id): each virtual user draws its own sequence,
  // so what it sends does not depend on which thread served it.
  Rng(uint64_t seed, uint64_t stream) {
    uint64_t mix = stream;
    reseed(seed ^ splitmix64(mix));
  }

  void reseed(uint64_t seed) {
    uint64_t sm = seed;
    for (auto& word : s_) word = splitmix64(sm);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n); n > 0. Lemire's multiply-shift (bias < n / 2^64).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<U128>(next()) * n) >> 64);
  }

  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace lp::vectors
