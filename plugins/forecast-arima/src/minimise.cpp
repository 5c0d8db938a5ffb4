#include "minimise.hpp"

#include <lbfgs.h>

#include <cmath>

namespace lp::forecast {

namespace {

constexpr double kHuge = 1e10;

struct Problem {
  const std::function<double(const std::vector<double>&)>& f;
  double step;
  std::size_t evaluations = 0;
  std::vector<double> x;

  double value(const std::vector<double>& at) {
    ++evaluations;
    const double v = f(at);
    return std::isfinite(v) ? v : kHuge;
  }
};

lbfgsfloatval_t evaluate(void* instance, const lbfgsfloatval_t* x, lbfgsfloatval_t* g, int n,
                         lbfgsfloatval_t /*step*/) {
  auto& p = *static_cast<Problem*>(instance);
  p.x.assign(x, x + n);
  const double fx = p.value(p.x);
  for (int i = 0; i < n; ++i) {
    const double h = p.step * std::max(1.0, std::fabs(x[i]));
    p.x[i] = x[i] + h;
    const double up = p.value(p.x);
    p.x[i] = x[i] - h;
    const double down = p.value(p.x);
    p.x[i] = x[i];
    g[i] = (up - down) / (2 * h);
  }
  return fx;
}

}  // namespace

Minimum minimise(const std::function<double(const std::vector<double>&)>& f,
                 std::vector<double> start, int max_iterations, double step) {
  Problem p{f, step, 0, {}};
  Minimum out;
  if (start.empty()) {
    out.value = p.value(start);
    out.evaluations = p.evaluations;
    return out;
  }
  const double at_start = p.value(start);
  const int n = static_cast<int>(start.size());
  lbfgsfloatval_t* x = lbfgs_malloc(n);
  for (int i = 0; i < n; ++i) x[i] = start[static_cast<std::size_t>(i)];
  lbfgs_parameter_t param;
  lbfgs_parameter_init(&param);
  param.max_iterations = max_iterations;
  param.epsilon = 1e-5;
  param.past = 2;  // stop when the objective no longer falls
  param.delta = 1e-7;
  param.max_step = 2;  // the parameters live on a tanh scale
  lbfgsfloatval_t fx = 0;
  lbfgs(n, x, &fx, evaluate, nullptr, &p, &param);  // any stop leaves the best x so far
  out.x.assign(x, x + n);
  lbfgs_free(x);
  out.value = p.value(out.x);
  if (!(out.value <= at_start)) {  // never worse than where it started
    out.x = std::move(start);
    out.value = at_start;
  }
  out.evaluations = p.evaluations;
  return out;
}

}  // namespace lp::forecast
