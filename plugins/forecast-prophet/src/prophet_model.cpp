#include "prophet_model.hpp"

#include <lbfgs.h>

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>

#include "history.hpp"

namespace lp::forecast {

namespace {

constexpr double kDayNs = 86'400'000'000'000.0;
constexpr double kSigmaPriorScale = 0.5;  // sigma_obs ~ N(0, 0.5), Prophet's
constexpr double kTrendPriorScale = 5;    // k, m ~ N(0, 5)
constexpr double kMinSigma2 = 1e-24;      // floor: a noiseless fit stays finite
constexpr int kMaxRuns = 20;              // OWL-QN runs per sigma round
constexpr int kRunIterations = 60;        // per OWL-QN run
constexpr int kMaxRounds = 30;            // alternations of the x and sigma blocks
constexpr int kMaxPolish = 4;             // Gauss-Newton steps after each OWL-QN run

bool covers(const EventSpan& e, std::int64_t t, std::int64_t step_ns) {
  return e.start_ns < t + step_ns && t < e.end_ns;
}

// Fourier columns at one time (days since the epoch), Prophet's order:
// sin, cos of harmonic 1, then of harmonic 2, ...
void fourier_row(const std::vector<Seasonality>& seasonalities, double days, double* out) {
  for (const auto& s : seasonalities) {
    for (int i = 1; i <= s.order; ++i) {
      const double x = 2.0 * M_PI * i * days / s.period_days;
      *out++ = std::sin(x);
      *out++ = std::cos(x);
    }
  }
}

std::size_t fourier_width(const std::vector<Seasonality>& seasonalities) {
  std::size_t w = 0;
  for (const auto& s : seasonalities) w += 2 * static_cast<std::size_t>(s.order);
  return w;
}

// Prophet's automatic rule: a seasonality when the history spans at least two
// of its periods (yearly: 730 days) and is sampled finer than the period.
std::vector<Seasonality> choose_seasonalities(const ProphetSettings& s, double span_days,
                                              double min_dt_days) {
  std::vector<Seasonality> out;
  auto add = [&](int setting, const char* name, double period, int default_order, bool auto_on) {
    const int order = setting < 0 ? (auto_on ? default_order : 0) : setting;
    if (order > 0) out.push_back({name, period, order});
  };
  add(s.yearly, "yearly", 365.25, 10, span_days >= 730);
  add(s.weekly, "weekly", 7, 3, span_days >= 14 && min_dt_days < 7);
  add(s.daily, "daily", 1, 4, span_days >= 2 && min_dt_days < 1);
  return out;
}

// The piecewise-linear trend at scaled time t.
double trend_at(const ProphetParams& p, const std::vector<double>& cps, double t) {
  double k = p.k, m = p.m;
  for (std::size_t j = 0; j < cps.size() && cps[j] <= t; ++j) {
    k += p.delta[j];
    m -= p.delta[j] * cps[j];
  }
  return k * t + m;
}

// The negative log posterior in x = [k, m, delta..., beta..., b...] at a
// fixed sigma, without the L1 term (OWL-QN adds it) and constants.
struct Problem {
  const std::vector<double>* t;                               // scaled, increasing
  const std::vector<double>* y;                               // scaled
  const std::vector<double>* X;                               // rows of F Fourier values
  const std::vector<std::vector<std::uint32_t>>* row_events;  // learned events covering each row
  const std::vector<double>* cps;
  const std::vector<double>* event_prior_mean;
  std::size_t F = 0, S = 0, E = 0;
  bool multiplicative = false;
  double beta_scale = 10, event_scale = 10;
  std::size_t evaluations = 0;
  std::vector<double> recent;  // objective per iteration of the current run
  long iterations_left = 0;    // the fit's budget of L-BFGS iterations
  // scratch
  std::vector<double> trend, season, factor, r;
  double sigma2 = 1;  // fixed during a run: the sigma block is solved apart
  double last_ssr = 0;

  double evaluate(const double* x, double* g) {
    ++evaluations;
    const std::size_t n = t->size();
    const double k = x[0], m0 = x[1];
    const double* delta = x + 2;
    const double* beta = delta + S;
    const double* b = beta + F;
    trend.resize(n);
    season.resize(n);
    factor.resize(n);
    r.resize(n);
    // trend, by a sweep over the changepoints
    {
      double kk = k, mm = m0;
      std::size_t j = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double ti = (*t)[i];
        while (j < S && (*cps)[j] <= ti) {
          kk += delta[j];
          mm -= delta[j] * (*cps)[j];
          ++j;
        }
        trend[i] = kk * ti + mm;
      }
    }
    double ssr = 0;
    std::vector<double>& mean = r;  // holds the mean, then the residual's gradient
    for (std::size_t i = 0; i < n; ++i) {
      const double* row = X->data() + i * F;
      double s = 0;
      for (std::size_t c = 0; c < F; ++c) s += row[c] * beta[c];
      season[i] = s;
      double lf = 0;
      for (const auto e : (*row_events)[i]) lf += b[e];
      factor[i] = E > 0 ? std::exp(lf) : 1.0;
      const double base = multiplicative ? trend[i] * (1 + s) : trend[i] + s;
      mean[i] = base * factor[i];
      const double e = (*y)[i] - mean[i];
      ssr += e * e;
    }
    last_ssr = ssr;
    double f = ssr / (2 * sigma2);
    const double tp = 2 * kTrendPriorScale * kTrendPriorScale;
    f += (k * k + m0 * m0) / tp;
    for (std::size_t c = 0; c < F; ++c) f += beta[c] * beta[c] / (2 * beta_scale * beta_scale);
    for (std::size_t e = 0; e < E; ++e) {
      const double d = b[e] - (*event_prior_mean)[e];
      f += d * d / (2 * event_scale * event_scale);
    }
    if (g == nullptr) return f;

    std::fill(g, g + 2 + S + F + E, 0.0);
    double* gd = g + 2;
    double* gb = gd + S;
    double* ge = gb + F;
    // d f / d mean_i, then through the model's structure
    double sum_r = 0, sum_rt = 0;
    std::vector<double>& dtrend = season;  // reuse: season is needed first
    for (std::size_t i = 0; i < n; ++i) {
      const double dmean = -((*y)[i] - mean[i]) / sigma2;
      const double* row = X->data() + i * F;
      const double base_grad = dmean * factor[i];
      const double s = season[i];
      const double ds = multiplicative ? base_grad * trend[i] : base_grad;
      for (std::size_t c = 0; c < F; ++c) gb[c] += ds * row[c];
      if (E > 0) {
        const double dl = dmean * mean[i];
        for (const auto e : (*row_events)[i]) ge[e] += dl;
      }
      dtrend[i] = multiplicative ? base_grad * (1 + s) : base_grad;
      sum_r += dtrend[i];
      sum_rt += dtrend[i] * (*t)[i];
    }
    g[0] = sum_rt + 2 * k / tp;
    g[1] = sum_r + 2 * m0 / tp;
    // delta_j: sum over t_i >= c_j of dtrend_i (t_i - c_j), by suffix sums
    {
      double suf_r = 0, suf_rt = 0;
      std::size_t i = n;
      for (std::size_t jj = S; jj-- > 0;) {
        const double c = (*cps)[jj];
        while (i > 0 && (*t)[i - 1] >= c) {
          --i;
          suf_r += dtrend[i];
          suf_rt += dtrend[i] * (*t)[i];
        }
        gd[jj] = suf_rt - c * suf_r;
      }
    }
    for (std::size_t c = 0; c < F; ++c) gb[c] += beta[c] / (beta_scale * beta_scale);
    for (std::size_t e = 0; e < E; ++e)
      ge[e] += (b[e] - (*event_prior_mean)[e]) / (event_scale * event_scale);
    return f;
  }

  // The full objective at a fixed sigma: evaluate() plus the L1 term.
  double full(const double* x, double l1) {
    double f = evaluate(x, nullptr);
    for (std::size_t j = 0; j < S; ++j) f += l1 * std::abs(x[2 + j]);
    return f;
  }

  // One Gauss-Newton step on what OWL-QN left free (all but the deltas at 0),
  // the deltas' signs held; kept only if the full objective drops. OWL-QN
  // finds the active set fast but converges slowly on the hinge columns'
  // poor conditioning; at a fixed sigma the additive model is linear, so
  // this step lands on the optimum. Returns whether it helped.
  bool polish(std::vector<double>& x, double l1) {
    const double f0 = full(x.data(), l1);  // fills trend, season, factor, r (mean)
    const std::size_t n = t->size();
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (i < 2 || i >= 2 + S || x[i] != 0) free.push_back(i);
    const std::size_t q = free.size();
    arma::mat J(n, q, arma::fill::zeros);
    arma::vec e(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double a = (multiplicative ? 1 + season[i] : 1.0) * factor[i];
      const double ds = (multiplicative ? trend[i] : 1.0) * factor[i];
      e[i] = (*y)[i] - r[i];
      const double* row = X->data() + i * F;
      for (std::size_t c = 0; c < q; ++c) {
        const std::size_t v = free[c];
        double d;
        if (v == 0) {
          d = a * (*t)[i];
        } else if (v == 1) {
          d = a;
        } else if (v < 2 + S) {
          const double cp = (*cps)[v - 2];
          d = (*t)[i] >= cp ? a * ((*t)[i] - cp) : 0.0;
        } else if (v < 2 + S + F) {
          d = ds * row[v - 2 - S];
        } else {
          const auto ev = static_cast<std::uint32_t>(v - 2 - S - F);
          const auto& list = (*row_events)[i];
          d = std::find(list.begin(), list.end(), ev) != list.end() ? r[i] : 0.0;
        }
        J(i, c) = d;
      }
    }
    arma::mat H = J.t() * J / sigma2;
    arma::vec g = -J.t() * e / sigma2;
    for (std::size_t c = 0; c < q; ++c) {
      const std::size_t v = free[c];
      double precision, gradient;
      if (v < 2) {
        precision = 1 / (kTrendPriorScale * kTrendPriorScale);
        gradient = x[v] * precision;
      } else if (v < 2 + S) {
        precision = 0;
        gradient = x[v] > 0 ? l1 : -l1;
      } else if (v < 2 + S + F) {
        precision = 1 / (beta_scale * beta_scale);
        gradient = x[v] * precision;
      } else {
        precision = 1 / (event_scale * event_scale);
        gradient = (x[v] - (*event_prior_mean)[v - 2 - S - F]) * precision;
      }
      H(c, c) += precision;
      g[c] += gradient;
    }
    arma::vec step;
    if (!arma::solve(step, H, -g, arma::solve_opts::likely_sympd + arma::solve_opts::no_approx))
      return false;
    std::vector<double> trial(x.size());
    for (double scale = 1; scale > 1e-3; scale /= 4) {  // bounded backtracking
      trial = x;
      for (std::size_t c = 0; c < q; ++c) {
        const std::size_t v = free[c];
        const double nv = x[v] + scale * step[c];
        // a delta may reach 0 but not cross it (its sign is held)
        trial[v] = v >= 2 && v < 2 + S && (nv > 0) != (x[v] > 0) ? 0.0 : nv;
      }
      if (full(trial.data(), l1) < f0) {
        x = trial;
        return true;
      }
    }
    full(x.data(), l1);
    return false;
  }
};

// liblbfgs' own `past`/`delta` test divides by f and misfires when f < 0
// or nears 0 (a noiseless fit): stop when ten iterations gained less than
// 1e-10 of f instead.
int progress_cb(void* instance, const lbfgsfloatval_t*, const lbfgsfloatval_t*,
                const lbfgsfloatval_t fx, const lbfgsfloatval_t, const lbfgsfloatval_t,
                const lbfgsfloatval_t, int, int, int) {
  constexpr std::size_t kWindow = 10;
  auto& p = *static_cast<Problem*>(instance);
  if (--p.iterations_left <= 0) return LBFGSERR_MAXIMUMITERATION;
  auto& recent = p.recent;
  recent.push_back(fx);
  if (recent.size() <= kWindow) return 0;
  const double gain = recent[recent.size() - 1 - kWindow] - fx;
  return gain <= 1e-10 * std::abs(fx) ? LBFGS_STOP : 0;
}

lbfgsfloatval_t evaluate_cb(void* instance, const lbfgsfloatval_t* x, lbfgsfloatval_t* g, int,
                            lbfgsfloatval_t) {
  return static_cast<Problem*>(instance)->evaluate(x, g);
}

}  // namespace

ProphetFit fit_prophet(const ProphetData& data, const ProphetSettings& settings,
                       const ProphetFit* warm) {
  if (data.step_ns <= 0) throw std::invalid_argument("the step must be > 0");
  if (data.values.size() != data.valid.size())
    throw std::invalid_argument("values and validity differ in length");
  if (!(settings.changepoint_prior_scale > 0) || !(settings.seasonality_prior_scale > 0) ||
      !(settings.event_prior_scale > 0))
    throw std::invalid_argument("prior scales must be > 0");
  if (!(settings.changepoint_range > 0 && settings.changepoint_range <= 1))
    throw std::invalid_argument("changepoint_range must be in (0, 1]");

  // The valid rows: Prophet drops missing values before it scales.
  std::vector<std::int64_t> ts;
  std::vector<double> y;
  for (std::size_t i = 0; i < data.values.size(); ++i) {
    if (data.valid[i] != 0 && std::isfinite(data.values[i])) {
      ts.push_back(data.start_ns + static_cast<std::int64_t>(i) * data.step_ns);
      y.push_back(data.values[i]);
    }
  }
  const std::size_t n = ts.size();
  if (n < 2) throw std::invalid_argument("needs at least 2 valid values");

  ProphetFit fit;
  fit.settings = settings;
  fit.step_ns = data.step_ns;
  fit.used = n;
  fit.t0_ns = ts.front();
  fit.t_scale_ns = static_cast<double>(ts.back() - ts.front());
  if (fit.t_scale_ns <= 0) fit.t_scale_ns = 1;
  double ymax = 0;
  for (const double v : y) ymax = std::max(ymax, std::abs(v));
  fit.y_scale = ymax > 0 ? ymax : 1;
  std::vector<double> t(n), ys(n);
  for (std::size_t i = 0; i < n; ++i) {
    t[i] = static_cast<double>(ts[i] - fit.t0_ns) / fit.t_scale_ns;
    ys[i] = y[i] / fit.y_scale;
  }

  // Changepoints at evenly spaced rows of the first changepoint_range of the
  // history (numpy's linspace().round(): half to even), the first dropped.
  {
    const auto hist =
        static_cast<std::size_t>(std::floor(static_cast<double>(n) * settings.changepoint_range));
    std::size_t count = settings.n_changepoints;
    if (count + 1 > hist) count = hist > 0 ? hist - 1 : 0;
    for (std::size_t j = 1; j <= count; ++j) {
      const double pos =
          static_cast<double>(hist - 1) * static_cast<double>(j) / static_cast<double>(count);
      const auto idx = static_cast<std::size_t>(std::nearbyint(pos));
      fit.changepoints.push_back(t[idx]);
    }
    std::sort(fit.changepoints.begin(), fit.changepoints.end());
    if (fit.changepoints.empty()) fit.changepoints.push_back(0);  // Prophet's dummy
  }

  double min_dt = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < n; ++i) min_dt = std::min(min_dt, double(ts[i] - ts[i - 1]));
  fit.seasonalities = choose_seasonalities(
      settings, static_cast<double>(ts.back() - ts.front()) / kDayNs, min_dt / kDayNs);
  const std::size_t F = fourier_width(fit.seasonalities);
  std::vector<double> X(n * F);
  for (std::size_t i = 0; i < n; ++i)
    fourier_row(fit.seasonalities, static_cast<double>(ts[i]) / kDayNs, X.data() + i * F);

  // Events: a named event is learned when it covers at least one valid value.
  std::map<std::string, std::size_t> index;
  std::vector<double> prior_mean;
  std::vector<std::vector<std::uint32_t>> row_events(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& e : data.events) {
      if (!(e.multiplier > 0) || !covers(e, ts[i], data.step_ns)) continue;
      auto [it, added] = index.try_emplace(e.name, fit.event_names.size());
      if (added) {
        fit.event_names.push_back(e.name);
        prior_mean.push_back(std::log(e.multiplier));
      }
      auto& list = row_events[i];
      const auto id = static_cast<std::uint32_t>(it->second);
      if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
    }
  }
  const std::size_t E = fit.event_names.size();
  const std::size_t S = fit.changepoints.size();

  // Start: Prophet's (line through the first and last value, the rest zero),
  // or the previous fit rescaled to the new scales.
  std::vector<double> x(2 + S + F + E, 0.0);
  x[0] = (ys.back() - ys.front()) / (t.back() - t.front() > 0 ? t.back() - t.front() : 1);
  x[1] = ys.front() - x[0] * t.front();
  for (std::size_t e = 0; e < E; ++e) x[2 + S + F + e] = prior_mean[e];
  if (warm != nullptr && warm->t0_ns == fit.t0_ns && warm->params.delta.size() == S &&
      warm->seasonalities.size() == fit.seasonalities.size() && warm->params.beta.size() == F) {
    const double ty = warm->y_scale / fit.y_scale;
    const double tt = fit.t_scale_ns / warm->t_scale_ns;
    x[0] = warm->params.k * ty * tt;
    x[1] = warm->params.m * ty;
    for (std::size_t j = 0; j < S; ++j) x[2 + j] = warm->params.delta[j] * ty * tt;
    for (std::size_t c = 0; c < F; ++c)
      x[2 + S + c] = warm->params.beta[c] * (settings.multiplicative ? 1.0 : ty);
    for (std::size_t e = 0; e < E; ++e) {
      const auto& names = warm->event_names;
      const auto it = std::find(names.begin(), names.end(), fit.event_names[e]);
      if (it != names.end()) x[2 + S + F + e] = warm->params.event[it - names.begin()];
    }
  }

  Problem p;
  p.t = &t;
  p.y = &ys;
  p.X = &X;
  p.row_events = &row_events;
  p.cps = &fit.changepoints;
  p.event_prior_mean = &prior_mean;
  p.F = F;
  p.S = S;
  p.E = E;
  p.multiplicative = settings.multiplicative;
  p.beta_scale = settings.seasonality_prior_scale;
  p.event_scale = settings.event_prior_scale;

  lbfgs_parameter_t param;
  lbfgs_parameter_init(&param);
  param.max_iterations = kRunIterations;
  p.iterations_left = static_cast<long>(settings.max_iterations);
  param.epsilon = 1e-7;
  param.past = 0;                                                // see progress_cb
  param.linesearch = LBFGS_LINESEARCH_BACKTRACKING;              // the one OWL-QN allows
  param.orthantwise_c = 1.0 / settings.changepoint_prior_scale;  // Laplace(0, tau) on delta
  param.orthantwise_start = 2;
  param.orthantwise_end = static_cast<int>(2 + S);

  // Block coordinate descent on the joint MAP: x by OWL-QN at a fixed sigma,
  // then sigma's exact optimum given the residuals, for a few rounds. Every
  // loop is bounded, and all L-BFGS runs share settings.max_iterations.
  const int dim = static_cast<int>(x.size());
  lbfgsfloatval_t* xs = lbfgs_malloc(dim);
  if (xs == nullptr) throw std::bad_alloc();
  std::copy(x.begin(), x.end(), xs);
  const double nd = static_cast<double>(n);
  auto sigma2_for = [&](double ssr) {  // root of 4 s^4 + n s^2 - ssr (the N(0, 0.5) prior)
    return std::max(2 * ssr / (nd + std::sqrt(nd * nd + 16 * ssr)), kMinSigma2);
  };
  p.evaluate(xs, nullptr);
  p.sigma2 = sigma2_for(p.last_ssr);
  int status = 0;
  auto polish = [&](lbfgsfloatval_t* at) {
    std::vector<double> cur(at, at + dim);
    for (int i = 0; i < kMaxPolish && p.polish(cur, param.orthantwise_c); ++i) {
    }
    std::copy(cur.begin(), cur.end(), at);
  };
  double prev_in = 0, prev_out = 0;  // the last round's sigma^2 and its result
  bool have_previous = false;
  for (int round = 0; round < kMaxRounds && p.iterations_left > 0; ++round) {
    // Short OWL-QN runs (they find which deltas are 0) between Gauss-Newton
    // polishes (they settle the rest), until OWL-QN finds nothing to do.
    double best = std::numeric_limits<double>::infinity();
    for (int run = 0; run < kMaxRuns && p.iterations_left > 0; ++run) {
      polish(xs);
      lbfgsfloatval_t fx = 0;
      p.recent.clear();
      status = lbfgs(dim, xs, &fx, evaluate_cb, progress_cb, &p, &param);
      const bool improved = !std::isfinite(best) || fx < best - 1e-10 * std::abs(best);
      best = std::min(best, fx);
      if (status == LBFGS_SUCCESS || status == LBFGS_ALREADY_MINIMIZED || !improved) break;
    }
    polish(xs);
    p.evaluate(xs, nullptr);
    double next = sigma2_for(p.last_ssr);
    const bool settled = std::abs(std::log(next / p.sigma2)) < 1e-4 || next <= kMinSigma2;
    // sigma solves G(s) = s, G a round; the secant on G(s) - s over the
    // last two rounds converges faster than plain iteration.
    if (!settled && have_previous) {
      const double h0 = prev_out - prev_in, h1 = next - p.sigma2;
      const double secant = p.sigma2 - h1 * (p.sigma2 - prev_in) / (h1 - h0);
      prev_in = p.sigma2;
      prev_out = next;
      if (h1 != h0 && std::isfinite(secant) && secant > 0.25 * next && secant < 4 * next)
        next = std::max(secant, kMinSigma2);
    } else {
      prev_in = p.sigma2;
      prev_out = next;
      have_previous = true;
    }
    p.sigma2 = next;
    if (settled) break;
  }
  x.assign(xs, xs + dim);
  lbfgs_free(xs);
  fit.status = status;
  fit.evaluations = p.evaluations;

  fit.params.k = x[0];
  fit.params.m = x[1];
  fit.params.delta.assign(x.begin() + 2, x.begin() + 2 + static_cast<std::ptrdiff_t>(S));
  fit.params.beta.assign(x.begin() + 2 + static_cast<std::ptrdiff_t>(S),
                         x.begin() + 2 + static_cast<std::ptrdiff_t>(S + F));
  fit.params.event.assign(x.begin() + 2 + static_cast<std::ptrdiff_t>(S + F), x.end());
  fit.params.sigma = std::sqrt(p.sigma2);
  for (const double v : x)
    if (!std::isfinite(v)) throw std::invalid_argument("the fit diverged (non-finite parameters)");
  return fit;
}

namespace {

// Per time: scaled t, the seasonal sum and the event factor.
struct Skeleton {
  std::vector<double> t, season, factor;
};

Skeleton skeleton(const ProphetFit& fit, std::span<const std::int64_t> times,
                  std::span<const EventSpan> events) {
  const std::size_t F = fourier_width(fit.seasonalities);
  Skeleton s;
  std::vector<double> row(F);
  for (const auto when : times) {
    s.t.push_back(static_cast<double>(when - fit.t0_ns) / fit.t_scale_ns);
    fourier_row(fit.seasonalities, static_cast<double>(when) / kDayNs, row.data());
    double v = 0;
    for (std::size_t c = 0; c < F; ++c) v += row[c] * fit.params.beta[c];
    s.season.push_back(v);
    double f = 1;
    std::vector<std::string> seen;  // a name counts once per step
    for (const auto& e : events) {
      if (!(e.multiplier > 0) || !covers(e, when, fit.step_ns)) continue;
      if (std::find(seen.begin(), seen.end(), e.name) != seen.end()) continue;
      seen.push_back(e.name);
      const auto& names = fit.event_names;
      const auto it = std::find(names.begin(), names.end(), e.name);
      f *= it != names.end() ? std::exp(fit.params.event[it - names.begin()]) : e.multiplier;
    }
    s.factor.push_back(f);
  }
  return s;
}

double combine(const ProphetFit& fit, double trend, double season, double factor) {
  const double base = fit.settings.multiplicative ? trend * (1 + season) : trend + season;
  return base * factor;
}

}  // namespace

std::vector<double> prophet_mean(const ProphetFit& fit, std::span<const std::int64_t> times,
                                 std::span<const EventSpan> events) {
  const Skeleton s = skeleton(fit, times, events);
  std::vector<double> out(times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    out[i] = fit.y_scale *
             combine(fit, trend_at(fit.params, fit.changepoints, s.t[i]), s.season[i], s.factor[i]);
  }
  return out;
}

std::vector<double> prophet_quantiles(const ProphetFit& fit, std::span<const std::int64_t> times,
                                      std::span<const EventSpan> events,
                                      std::span<const double> levels, std::size_t paths,
                                      std::uint64_t seed) {
  for (const double q : levels)
    if (!(q > 0 && q < 1)) throw std::invalid_argument("quantile levels must be in (0, 1)");
  const std::size_t h = times.size();
  std::vector<double> out(h * levels.size());
  if (h == 0 || levels.empty()) return out;
  if (paths == 0) throw std::invalid_argument("needs at least one path");
  const Skeleton s = skeleton(fit, times, events);
  std::vector<double> base_trend(h);
  for (std::size_t i = 0; i < h; ++i)
    base_trend[i] = trend_at(fit.params, fit.changepoints, s.t[i]);

  // Prophet's sample_predictive_trend: changepoints keep arriving at the
  // history's rate (S per unit of scaled time) after t = 1, with Laplace
  // deltas of the fitted deltas' mean absolute size.
  const double T = *std::max_element(s.t.begin(), s.t.end());
  const double rate = static_cast<double>(fit.changepoints.size()) * std::max(T - 1, 0.0);
  double lambda = 1e-8;
  for (const double d : fit.params.delta)
    lambda += std::abs(d) / static_cast<double>(fit.params.delta.size());

  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> noise(0.0, fit.params.sigma);
  std::vector<double> sims(paths * h);  // step-major: paths values per step
  std::vector<std::pair<double, double>> changes;
  for (std::size_t p = 0; p < paths; ++p) {
    changes.clear();
    if (rate > 0) {
      std::poisson_distribution<long> count(rate);
      const long c = count(rng);
      for (long j = 0; j < c; ++j) {
        const double when = 1 + unit(rng) * (T - 1);
        const double u = unit(rng) - 0.5;  // Laplace by its inverse CDF
        const double d = -lambda * (u < 0 ? -1.0 : 1.0) * std::log1p(-2 * std::abs(u));
        changes.emplace_back(when, d);
      }
      std::sort(changes.begin(), changes.end());
    }
    double slope = 0, offset = 0;
    std::size_t j = 0;
    for (std::size_t i = 0; i < h; ++i) {
      while (j < changes.size() && changes[j].first <= s.t[i]) {
        slope += changes[j].second;
        offset -= changes[j].second * changes[j].first;
        ++j;
      }
      const double trend = base_trend[i] + slope * s.t[i] + offset;
      sims[i * paths + p] =
          fit.y_scale * (combine(fit, trend, s.season[i], s.factor[i]) + noise(rng));
    }
  }
  for (std::size_t i = 0; i < h; ++i) {
    const auto first = sims.begin() + static_cast<std::ptrdiff_t>(i * paths);
    std::sort(first, first + static_cast<std::ptrdiff_t>(paths));
    const std::span<const double> sorted(&*first, paths);
    for (std::size_t k = 0; k < levels.size(); ++k)
      out[i * levels.size() + k] = sorted_quantile(sorted, levels[k]);
  }
  return out;
}

nlohmann::json to_json(const ProphetFit& fit) {
  using nlohmann::json;
  const auto& s = fit.settings;
  json seas = json::array();
  for (const auto& x : fit.seasonalities)
    seas.push_back({{"name", x.name}, {"period_days", x.period_days}, {"order", x.order}});
  return {
      {"settings",
       {{"multiplicative", s.multiplicative},
        {"n_changepoints", s.n_changepoints},
        {"changepoint_range", s.changepoint_range},
        {"changepoint_prior_scale", s.changepoint_prior_scale},
        {"seasonality_prior_scale", s.seasonality_prior_scale},
        {"event_prior_scale", s.event_prior_scale},
        {"yearly", s.yearly},
        {"weekly", s.weekly},
        {"daily", s.daily},
        {"max_iterations", s.max_iterations}}},
      {"step_ns", fit.step_ns},
      {"t0_ns", fit.t0_ns},
      {"t_scale_ns", fit.t_scale_ns},
      {"y_scale", fit.y_scale},
      {"changepoints", fit.changepoints},
      {"seasonalities", seas},
      {"event_names", fit.event_names},
      {"k", fit.params.k},
      {"m", fit.params.m},
      {"delta", fit.params.delta},
      {"beta", fit.params.beta},
      {"event", fit.params.event},
      {"sigma", fit.params.sigma},
      {"used", fit.used},
  };
}

ProphetFit prophet_from_json(const nlohmann::json& j) {
  ProphetFit fit;
  const auto& s = j.at("settings");
  auto& st = fit.settings;
  st.multiplicative = s.at("multiplicative").get<bool>();
  st.n_changepoints = s.at("n_changepoints").get<std::size_t>();
  st.changepoint_range = s.at("changepoint_range").get<double>();
  st.changepoint_prior_scale = s.at("changepoint_prior_scale").get<double>();
  st.seasonality_prior_scale = s.at("seasonality_prior_scale").get<double>();
  st.event_prior_scale = s.at("event_prior_scale").get<double>();
  st.yearly = s.at("yearly").get<int>();
  st.weekly = s.at("weekly").get<int>();
  st.daily = s.at("daily").get<int>();
  st.max_iterations = s.at("max_iterations").get<std::size_t>();
  fit.step_ns = j.at("step_ns").get<std::int64_t>();
  fit.t0_ns = j.at("t0_ns").get<std::int64_t>();
  fit.t_scale_ns = j.at("t_scale_ns").get<double>();
  fit.y_scale = j.at("y_scale").get<double>();
  fit.changepoints = j.at("changepoints").get<std::vector<double>>();
  for (const auto& x : j.at("seasonalities")) {
    fit.seasonalities.push_back({x.at("name").get<std::string>(), x.at("period_days").get<double>(),
                                 x.at("order").get<int>()});
  }
  fit.event_names = j.at("event_names").get<std::vector<std::string>>();
  fit.params.k = j.at("k").get<double>();
  fit.params.m = j.at("m").get<double>();
  fit.params.delta = j.at("delta").get<std::vector<double>>();
  fit.params.beta = j.at("beta").get<std::vector<double>>();
  fit.params.event = j.at("event").get<std::vector<double>>();
  fit.params.sigma = j.at("sigma").get<double>();
  fit.used = j.at("used").get<std::size_t>();
  if (fit.step_ns <= 0 || !(fit.t_scale_ns > 0) || !(fit.y_scale > 0) ||
      fit.params.delta.size() != fit.changepoints.size() ||
      fit.params.beta.size() != fourier_width(fit.seasonalities) ||
      fit.params.event.size() != fit.event_names.size() || !(fit.params.sigma >= 0)) {
    throw std::invalid_argument("inconsistent saved prophet state");
  }
  return fit;
}

}  // namespace lp::forecast
