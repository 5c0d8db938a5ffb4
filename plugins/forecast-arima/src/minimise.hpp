// Smooth minimisation of a few unconstrained parameters: liblbfgs with
// central-difference gradients (the ARIMA likelihoods have no cheap analytic
// gradient). Bounded in iterations; deterministic.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace lp::forecast {

struct Minimum {
  std::vector<double> x;
  double value = 0;
  std::size_t evaluations = 0;
};

// A non-finite f counts as a very large value, so the line search backs off.
Minimum minimise(const std::function<double(const std::vector<double>&)>& f,
                 std::vector<double> start, int max_iterations, double step = 1e-4);

}  // namespace lp::forecast
