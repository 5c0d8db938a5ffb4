#include "nelder_mead.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lp::forecast {

NelderMeadResult nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                             std::vector<double> start, double step, std::size_t max_evaluations,
                             double tolerance) {
  const std::size_t n = start.size();
  std::size_t evals = 0;
  auto eval = [&](const std::vector<double>& x) {
    ++evals;
    const double v = f(x);
    return std::isfinite(v) ? v : 1e300;
  };
  std::vector<std::vector<double>> pts(n + 1, start);
  for (std::size_t i = 0; i < n; ++i) pts[i + 1][i] += step;
  std::vector<double> vals(n + 1);
  for (std::size_t i = 0; i <= n; ++i) vals[i] = eval(pts[i]);
  std::vector<std::size_t> order(n + 1);
  while (evals < max_evaluations) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return vals[a] < vals[b]; });
    const std::size_t best = order.front(), worst = order.back(), second = order[n - 1];
    if (std::fabs(vals[worst] - vals[best]) <= tolerance * (std::fabs(vals[best]) + 1e-12)) break;
    std::vector<double> centre(n, 0.0);
    for (std::size_t i = 0; i <= n; ++i) {
      if (i == worst) continue;
      for (std::size_t j = 0; j < n; ++j) centre[j] += pts[i][j] / static_cast<double>(n);
    }
    auto along = [&](double t) {
      std::vector<double> x(n);
      for (std::size_t j = 0; j < n; ++j) x[j] = centre[j] + t * (pts[worst][j] - centre[j]);
      return x;
    };
    const auto reflected = along(-1);
    const double fr = eval(reflected);
    if (fr < vals[best]) {
      const auto expanded = along(-2);
      const double fe = eval(expanded);
      if (fe < fr) {
        pts[worst] = expanded;
        vals[worst] = fe;
      } else {
        pts[worst] = reflected;
        vals[worst] = fr;
      }
    } else if (fr < vals[second]) {
      pts[worst] = reflected;
      vals[worst] = fr;
    } else {
      const bool outside = fr < vals[worst];
      const auto contracted = along(outside ? -0.5 : 0.5);
      const double fc = eval(contracted);
      if (fc < (outside ? fr : vals[worst])) {
        pts[worst] = contracted;
        vals[worst] = fc;
      } else {
        for (std::size_t i = 0; i <= n; ++i) {  // shrink towards the best
          if (i == best) continue;
          for (std::size_t j = 0; j < n; ++j)
            pts[i][j] = pts[best][j] + 0.5 * (pts[i][j] - pts[best][j]);
          vals[i] = eval(pts[i]);
        }
      }
    }
  }
  const auto best =
      static_cast<std::size_t>(std::min_element(vals.begin(), vals.end()) - vals.begin());
  return {pts[best], vals[best], evals};
}

}  // namespace lp::forecast
