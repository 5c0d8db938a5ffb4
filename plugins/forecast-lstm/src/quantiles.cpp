#include "quantiles.hpp"

#include <algorithm>
#include <stdexcept>

#include "normal.hpp"

namespace lp::forecast::lstm {

double quantile_at(std::span<const double> levels, std::span<const double> values, double q) {
  const std::size_t n = levels.size();
  std::size_t hi =
      static_cast<std::size_t>(std::lower_bound(levels.begin(), levels.end(), q) - levels.begin());
  if (hi < n && levels[hi] == q) return values[hi];
  hi = std::clamp<std::size_t>(hi, 1, n - 1);  // outside: the outermost pair
  const std::size_t lo = hi - 1;
  const double z = normal_quantile(q), z0 = normal_quantile(levels[lo]),
               z1 = normal_quantile(levels[hi]);
  return values[lo] + (z - z0) / (z1 - z0) * (values[hi] - values[lo]);
}

std::vector<double> training_levels(std::vector<double> levels) {
  for (const double q : levels) {
    if (!(q > 0 && q < 1)) throw std::invalid_argument("quantile levels must be in (0, 1)");
  }
  levels.push_back(0.5);
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  if (levels.size() < 2)
    throw std::invalid_argument("train at least one quantile level besides 0.5");
  return levels;
}

}  // namespace lp::forecast::lstm
