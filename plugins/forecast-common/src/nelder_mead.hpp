// Nelder-Mead simplex minimisation of a smooth-enough function of a few
// unconstrained parameters (the forecasters map bounded parameters through a
// logistic first). Bounded in evaluations; deterministic.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace lp::forecast {

struct NelderMeadResult {
  std::vector<double> x;
  double value = 0;
  std::size_t evaluations = 0;
};

NelderMeadResult nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                             std::vector<double> start, double step = 0.5,
                             std::size_t max_evaluations = 400, double tolerance = 1e-8);

}  // namespace lp::forecast
