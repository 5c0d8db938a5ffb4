#include "arima_model.hpp"

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <tuple>

#include "arima_likelihood.hpp"
#include "differencing.hpp"
#include "minimise.hpp"
#include "state_space.hpp"

namespace lp::forecast {

namespace {

const double kLog2Pi = std::log(2 * M_PI);
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kCssIterations = 100;
constexpr int kExactIterations = 50;

struct Scored {
  ArimaOrder order;
  std::vector<double> raw;
  double ic = kInf;
  bool usable = false;  // enough data and a finite criterion (roots aside)
};

struct Criteria {
  double aic, aicc, bic;
};

Criteria criteria(double minus2ll, std::size_t k, std::size_t n) {
  const double kk = static_cast<double>(k), nn = static_cast<double>(n);
  const double aic = minus2ll + 2 * kk;
  const double aicc = n > k + 1 ? aic + 2 * kk * (kk + 1) / (nn - kk - 1) : kInf;
  return {aic, aicc, aic + kk * (std::log(nn) - 2)};
}

double pick(const Criteria& c, InformationCriterion ic) {
  switch (ic) {
    case InformationCriterion::kAic:
      return c.aic;
    case InformationCriterion::kBic:
      return c.bic;
    case InformationCriterion::kAicc:
      break;
  }
  return c.aicc;
}

// A conditional-sum-of-squares fit and its approximate criterion (the
// search's currency, as auto.arima's approximation = TRUE).
Scored css_fit(const Masked& w, const ArimaOrder& order, InformationCriterion ic) {
  Scored s{order, {}, kInf, false};
  const ArmaProblem problem(w, order);
  const std::size_t k = problem.dimension() + 1;
  if (problem.valid_count() <= problem.conditioning() + k + 2) return s;
  const Minimum best = minimise([&](const std::vector<double>& x) { return problem.css(x); },
                                problem.start(), kCssIterations, 1e-5);
  std::size_t nu = 0;
  const double half_log_s2 = problem.css(best.x, &nu);
  s.raw = best.x;
  if (nu <= k + 1) return s;
  const double nn = static_cast<double>(nu);
  s.usable = true;
  if (!roots_clear(problem.unpack(best.x), order.m)) return s;
  s.ic = pick(criteria(2 * nn * half_log_s2 + nn + nn * kLog2Pi, k, nu), ic);
  return s;
}

double regression(const ArimaFit& f, std::size_t t) {
  const std::size_t dd = f.order.d + f.order.D;
  if (dd == 0) return f.constant;
  if (dd == 1) return f.constant * static_cast<double>(t);
  return 0;
}

StateSpace space(const ArimaFit& f) {
  return StateSpace(expand_ar(f.ar, f.sar, f.order.m), expand_ma(f.ma, f.sma, f.order.m),
                    differencing_polynomial(f.order.d, f.order.D, f.order.m));
}

void store(ArimaFit& f, const arma::vec& a, const arma::mat& P) {
  f.a.assign(a.begin(), a.end());
  f.P.assign(P.begin(), P.end());
}

void run(ArimaFit& f, const StateSpace& ss, arma::vec& a, arma::mat& P, std::span<const double> y,
         std::span<const std::uint8_t> valid) {
  std::vector<double> x(y.size());
  for (std::size_t t = 0; t < y.size(); ++t) x[t] = valid[t] ? y[t] - regression(f, f.n + t) : 0;
  ss.run(x, valid, a, P, true);
  f.n += y.size();
  store(f, a, P);
}

// The exact maximum-likelihood fit from CSS starting values (or, without
// `optimise`, the CSS estimates themselves with their exact likelihood),
// then the filter over the whole original series for the forecast origin.
ArimaFit exact_fit(std::span<const double> y, std::span<const std::uint8_t> valid, const Masked& w,
                   const ArimaOrder& order, const std::vector<double>& start,
                   bool optimise = true) {
  const ArmaProblem problem(w, order);
  const Minimum best =
      optimise ? minimise([&](const std::vector<double>& x) { return problem.exact(x); }, start,
                          kExactIterations, 1e-4)
               : Minimum{start, 0, 0};
  FilterSums sums;
  problem.exact(best.x, &sums);
  const ArmaCoefficients c = problem.unpack(best.x);
  ArimaFit f;
  f.order = order;
  f.ar = c.ar;
  f.ma = c.ma;
  f.sar = c.sar;
  f.sma = c.sma;
  const std::size_t dd = order.d + order.D;
  f.constant = order.constant
                   ? c.mean / (dd == 0 || order.d == 1 ? 1.0 : static_cast<double>(order.m))
                   : 0.0;
  f.nobs = sums.nu;
  const double nu = static_cast<double>(std::max<std::size_t>(sums.nu, 1));
  f.sigma2 = sums.ssq / nu;
  const double minus2ll =
      nu * std::log(std::max(f.sigma2, 1e-300)) + sums.sumlog + nu + nu * kLog2Pi;
  f.loglik = -0.5 * minus2ll;
  const Criteria ic = criteria(minus2ll, problem.dimension() + 1, sums.nu);
  f.aic = ic.aic;
  f.aicc = ic.aicc;
  f.bic = ic.bic;
  f.models_tried = 1;
  return refilter(f, y, valid);
}

bool constant_series(const Masked& w, double* mean) {
  double lo = kInf, hi = -kInf, sum = 0;
  std::size_t n = 0;
  for (std::size_t t = 0; t < w.values.size(); ++t) {
    if (!w.valid[t]) continue;
    lo = std::min(lo, w.values[t]);
    hi = std::max(hi, w.values[t]);
    sum += w.values[t];
    ++n;
  }
  *mean = n ? sum / static_cast<double>(n) : 0;
  return n > 0 && hi - lo <= 1e-10 * std::max({std::fabs(hi), std::fabs(lo), 1e-300});
}

// A differenced series without any variation: the model is the
// differencing itself (with its drift), with no noise.
ArimaFit noiseless(std::span<const double> y, std::span<const std::uint8_t> valid, std::size_t d,
                   std::size_t D, std::size_t m, double mean, std::size_t used) {
  ArimaFit f;
  f.order = {0, d, 0, 0, D, 0, m, d + D <= 1 && mean != 0};
  f.constant =
      f.order.constant ? mean / (d + D == 0 || d == 1 ? 1.0 : static_cast<double>(m)) : 0.0;
  f.nobs = used;
  f.loglik = f.aic = f.aicc = f.bic = -kInf;
  f.models_tried = 1;
  return refilter(f, y, valid);
}

std::size_t count_valid(const Masked& w) {
  return static_cast<std::size_t>(std::count(w.valid.begin(), w.valid.end(), std::uint8_t{1}));
}

void check_order(const ArimaOrder& o) {
  if (o.m < 1) throw std::invalid_argument("the season length must be >= 1");
  if (o.m == 1 && (o.P || o.D || o.Q))
    throw std::invalid_argument("a seasonal order needs a season length >= 2");
  if (o.constant && o.d + o.D > 1)
    throw std::invalid_argument("a constant needs d + D <= 1 (a mean or a drift)");
}

}  // namespace

std::string ArimaOrder::name() const {
  std::string s =
      "ARIMA(" + std::to_string(p) + "," + std::to_string(d) + "," + std::to_string(q) + ")";
  if (m > 1 && (P || D || Q)) {
    s += "(" + std::to_string(P) + "," + std::to_string(D) + "," + std::to_string(Q) + ")[" +
         std::to_string(m) + "]";
  }
  if (constant) s += d + D == 0 ? " with non-zero mean" : " with drift";
  return s;
}

ArimaFit refilter(const ArimaFit& fit, std::span<const double> y,
                  std::span<const std::uint8_t> valid) {
  ArimaFit f = fit;
  f.n = 0;
  const StateSpace ss = space(f);
  arma::vec a;
  arma::mat P;
  ss.initialise(a, P);
  run(f, ss, a, P, y, valid);
  return f;
}

void extend(ArimaFit& fit, std::span<const double> y, std::span<const std::uint8_t> valid) {
  const StateSpace ss = space(fit);
  const std::size_t s = ss.size();
  if (fit.a.size() != s || fit.P.size() != s * s)
    throw std::invalid_argument("the saved filter state does not match the model");
  arma::vec a(fit.a);
  arma::mat P(fit.P);
  P.reshape(s, s);
  run(fit, ss, a, P, y, valid);
}

ArimaFit fit_arima(std::span<const double> y, std::span<const std::uint8_t> valid,
                   const ArimaOrder& order) {
  check_order(order);
  const Masked w = difference(y, valid, order.d, order.D, order.m);
  const Scored s = css_fit(w, order, InformationCriterion::kAicc);
  if (!s.usable) {
    throw std::invalid_argument("history too short for " + order.name() + ": " +
                                std::to_string(count_valid(w)) +
                                " valid values after differencing");
  }
  return exact_fit(y, valid, w, order, s.raw);
}

ArimaFit auto_arima(std::span<const double> y, std::span<const std::uint8_t> valid, std::size_t m,
                    const ArimaSearch& search) {
  if (m < 2) m = 1;
  const bool seasonal = m > 1;
  const std::size_t D =
      seasonal ? search.D.value_or(choose_seasonal_d(y, valid, m, search.max_D)) : 0;
  const Masked xs = difference(y, valid, 0, D, m);
  const std::size_t d = search.d.value_or(choose_d(xs.values, xs.valid, search.max_d));
  const Masked w = difference(y, valid, d, D, m);
  if (count_valid(w) < 3) {
    throw std::invalid_argument("history too short: " + std::to_string(count_valid(w)) +
                                " valid values after differencing");
  }
  double mean = 0;
  if (constant_series(w, &mean)) return noiseless(y, valid, d, D, m, mean, count_valid(w));

  const std::size_t max_P = seasonal ? search.max_P : 0, max_Q = seasonal ? search.max_Q : 0;
  const bool allow_c = search.allow_constant && d + D <= 1;
  using Key = std::tuple<std::size_t, std::size_t, std::size_t, std::size_t, bool>;
  std::map<Key, Scored> fitted;
  Scored best;
  Key at{0, 0, 0, 0, false};
  // Fits (p, q, P, Q, c) unless seen; true when it beats the best so far.
  const auto attempt = [&](std::size_t p, std::size_t q, std::size_t P, std::size_t Q, bool c) {
    const Key key{p, q, P, Q, c};
    if (fitted.count(key) || fitted.size() >= search.max_models) return false;
    const Scored s = css_fit(w, {p, d, q, P, D, Q, m, c}, search.ic);
    fitted.emplace(key, s);
    if (!(s.ic < best.ic)) return false;
    best = s;
    at = key;
    return true;
  };
  attempt(std::min<std::size_t>(2, search.max_p), std::min<std::size_t>(2, search.max_q),
          std::min<std::size_t>(1, max_P), std::min<std::size_t>(1, max_Q), allow_c);
  attempt(0, 0, 0, 0, allow_c);
  attempt(search.max_p > 0 ? 1 : 0, 0, max_P > 0 ? 1 : 0, 0, allow_c);
  attempt(0, search.max_q > 0 ? 1 : 0, 0, max_Q > 0 ? 1 : 0, allow_c);
  if (allow_c) attempt(0, 0, 0, 0, false);
  // Hyndman-Khandakar: move to the first better neighbour, until none is.
  for (bool moved = true; moved && fitted.size() < search.max_models;) {
    moved = false;
    const auto [p, q, P, Q, c] = at;
    const long lp = static_cast<long>(p), lq = static_cast<long>(q), lP = static_cast<long>(P),
               lQ = static_cast<long>(Q);
    const long steps[8][2] = {{-1, 0}, {0, -1}, {1, 0}, {0, 1}, {-1, -1}, {-1, 1}, {1, -1}, {1, 1}};
    for (const auto& st : steps) {  // seasonal (P, Q) first, as auto.arima
      const long nP = lP + st[0], nQ = lQ + st[1];
      if (nP < 0 || nQ < 0 || nP > static_cast<long>(max_P) || nQ > static_cast<long>(max_Q))
        continue;
      if ((moved = attempt(p, q, static_cast<std::size_t>(nP), static_cast<std::size_t>(nQ), c)))
        break;
    }
    if (moved) continue;
    for (const auto& st : steps) {
      const long np = lp + st[0], nq = lq + st[1];
      if (np < 0 || nq < 0 || np > static_cast<long>(search.max_p) ||
          nq > static_cast<long>(search.max_q))
        continue;
      if ((moved = attempt(static_cast<std::size_t>(np), static_cast<std::size_t>(nq), P, Q, c)))
        break;
    }
    if (moved) continue;
    if (allow_c) moved = attempt(p, q, P, Q, !c);
  }

  // Refit the best by exact likelihood (auto.arima's approximation step);
  // should that drift to the unit circle, keep its CSS estimates, which
  // passed the search's root check.
  const Scored* top = nullptr;
  for (const auto& [key, s] : fitted) {
    if (std::isfinite(s.ic) && (top == nullptr || s.ic < top->ic)) top = &s;
  }
  if (top != nullptr) {
    ArimaFit f = exact_fit(y, valid, w, top->order, top->raw, search.exact);
    if (search.exact &&
        (!std::isfinite(f.loglik) || !roots_clear({f.ar, f.ma, f.sar, f.sma, 0}, m)))
      f = exact_fit(y, valid, w, top->order, top->raw, false);
    f.models_tried = fitted.size();
    return f;
  }
  const ArimaOrder plain{0, d, 0, 0, D, 0, m, false};  // nothing fitted: the differencing alone
  ArimaFit f = exact_fit(y, valid, w, plain, {});
  f.models_tried = fitted.size();
  return f;
}

ArimaForecast forecast(const ArimaFit& fit, std::size_t h) {
  const StateSpace ss = space(fit);
  const std::size_t s = ss.size();
  if (fit.a.size() != s || fit.P.size() != s * s)
    throw std::invalid_argument("the filter state does not match the model");
  arma::vec a(fit.a);
  arma::mat P(fit.P);
  P.reshape(s, s);
  ArimaForecast out;
  StateSpace::Workspace ws;
  out.mean.resize(h);
  out.sd.resize(h);
  for (std::size_t i = 0; i < h; ++i) {
    out.mean[i] = ss.observe_mean(a) + regression(fit, fit.n + i);
    out.sd[i] = std::sqrt(std::max(0.0, fit.sigma2 * ss.observe_variance(P)));
    ss.predict(a, P, ws);
  }
  return out;
}

nlohmann::json to_json(const ArimaFit& f) {
  const auto& o = f.order;
  return {{"order", {o.p, o.d, o.q}},
          {"seasonal_order", {o.P, o.D, o.Q}},
          {"season", o.m},
          {"constant", o.constant},
          {"ar", f.ar},
          {"ma", f.ma},
          {"sar", f.sar},
          {"sma", f.sma},
          {"mean_or_drift", f.constant},
          {"sigma2", f.sigma2},
          {"loglik", std::isfinite(f.loglik) ? nlohmann::json(f.loglik) : nlohmann::json()},
          {"aicc", std::isfinite(f.aicc) ? nlohmann::json(f.aicc) : nlohmann::json()},
          {"nobs", f.nobs},
          {"n", f.n},
          {"a", f.a},
          {"P", f.P}};
}

ArimaFit arima_from_json(const nlohmann::json& j) {
  ArimaFit f;
  const auto order = j.at("order").get<std::vector<std::size_t>>();
  const auto seasonal = j.at("seasonal_order").get<std::vector<std::size_t>>();
  if (order.size() != 3 || seasonal.size() != 3)
    throw std::invalid_argument("order and seasonal_order need three values each");
  f.order = {order[0],
             order[1],
             order[2],
             seasonal[0],
             seasonal[1],
             seasonal[2],
             j.at("season").get<std::size_t>(),
             j.at("constant").get<bool>()};
  check_order(f.order);
  f.ar = j.at("ar").get<std::vector<double>>();
  f.ma = j.at("ma").get<std::vector<double>>();
  f.sar = j.at("sar").get<std::vector<double>>();
  f.sma = j.at("sma").get<std::vector<double>>();
  if (f.ar.size() != f.order.p || f.ma.size() != f.order.q || f.sar.size() != f.order.P ||
      f.sma.size() != f.order.Q)
    throw std::invalid_argument("coefficient counts do not match the order");
  f.constant = j.at("mean_or_drift").get<double>();
  f.sigma2 = j.at("sigma2").get<double>();
  f.loglik = j.at("loglik").is_null() ? -kInf : j.at("loglik").get<double>();
  f.aicc = j.at("aicc").is_null() ? -kInf : j.at("aicc").get<double>();
  f.nobs = j.at("nobs").get<std::size_t>();
  f.n = j.at("n").get<std::size_t>();
  f.a = j.at("a").get<std::vector<double>>();
  f.P = j.at("P").get<std::vector<double>>();
  const std::size_t s = space(f).size();
  if (f.a.size() != s || f.P.size() != s * s)
    throw std::invalid_argument("the filter state does not match the model");
  return f;
}

}  // namespace lp::forecast
