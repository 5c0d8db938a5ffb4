// The M4 accuracy measures for one forecast: sMAPE, MASE (scaled by the
// in-sample seasonal-naive MAE, lag m), MSIS at level 1 - alpha and interval
// coverage. Invalid (masked) test or training steps are left out.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lp::bench {

struct Scores {
  double smape = 0, mase = 0, msis = 0, coverage = 0, seconds = 0;
  std::size_t n = 0;
  void add(const Scores& s) {
    smape += s.smape;
    mase += s.mase;
    msis += s.msis;
    coverage += s.coverage;
    seconds += s.seconds;
    ++n;
  }
  Scores mean() const {
    const double k = n ? static_cast<double>(n) : 1;
    return {smape / k, mase / k, msis / k, coverage / k, seconds, n};
  }
};

// `train_valid`/`test_valid` may be empty (all valid). Returns n = 0 when
// nothing can be scored (no valid test step, or a zero scale).
inline Scores score(const std::vector<double>& train, const std::vector<std::uint8_t>& train_valid,
                    const std::vector<double>& test, const std::vector<std::uint8_t>& test_valid,
                    const std::vector<double>& mean, const std::vector<double>& lo,
                    const std::vector<double>& hi, std::size_t m, double alpha) {
  const auto ok = [](const std::vector<std::uint8_t>& v, std::size_t i) {
    return v.empty() || v[i] != 0;
  };
  double scale = 0;
  std::size_t k = 0;
  for (std::size_t i = m; i < train.size(); ++i) {
    if (!ok(train_valid, i) || !ok(train_valid, i - m)) continue;
    scale += std::fabs(train[i] - train[i - m]);
    ++k;
  }
  Scores s;
  if (k == 0 || scale == 0) return s;
  scale /= static_cast<double>(k);
  std::size_t h_used = 0;
  for (std::size_t h = 0; h < test.size() && h < mean.size(); ++h) {
    if (!ok(test_valid, h)) continue;
    const double y = test[h], f = mean[h];
    const double denom = std::fabs(y) + std::fabs(f);
    s.smape += denom > 0 ? 200 * std::fabs(y - f) / denom : 0;
    s.mase += std::fabs(y - f) / scale;
    const double penalty = (lo[h] - y) * (y < lo[h]) + (y - hi[h]) * (y > hi[h]);
    s.msis += ((hi[h] - lo[h]) + 2 / alpha * penalty) / scale;
    s.coverage += (y >= lo[h] && y <= hi[h]) ? 1 : 0;
    ++h_used;
  }
  if (h_used == 0) return s;
  for (double* v : {&s.smape, &s.mase, &s.msis, &s.coverage}) *v /= static_cast<double>(h_used);
  s.n = 1;
  return s;
}

}  // namespace lp::bench
