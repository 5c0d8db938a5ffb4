#include "ets_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "history.hpp"
#include "nelder_mead.hpp"

namespace lp::forecast {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}
double logit(double p) {
  return std::log(p / (1 - p));
}

bool has_trend(const EtsSpec& s) {
  return s.trend != Trend::kNone;
}
bool has_season(const EtsSpec& s) {
  return s.season != Season::kNone;
}

// The one-step forecast from a state at time t.
double one_step(const EtsSpec& spec, const EtsParams& p, const EtsState& st, std::size_t t) {
  const double base = st.level + (has_trend(spec) ? p.phi * st.trend : 0.0);
  switch (spec.season) {
    case Season::kNone:
      return base;
    case Season::kAdditive:
      return base + st.season[t % spec.m];
    case Season::kMultiplicative:
      return base * st.season[t % spec.m];
  }
  return base;
}

// Moves the state past time t with error e (e = 0 for a missing value).
void update(const EtsSpec& spec, const EtsParams& p, EtsState& st, std::size_t t, double e) {
  const double phib = has_trend(spec) ? p.phi * st.trend : 0.0;
  const double base = st.level + phib;
  const std::size_t k = has_season(spec) ? t % spec.m : 0;
  const double s =
      has_season(spec) ? st.season[k] : (spec.season == Season::kMultiplicative ? 1 : 0);
  double level = 0, trend = 0, season = s;
  if (!spec.multiplicative_error) {
    switch (spec.season) {
      case Season::kNone:
        level = base + p.alpha * e;
        trend = phib + p.beta * e;
        break;
      case Season::kAdditive:
        level = base + p.alpha * e;
        trend = phib + p.beta * e;
        season = s + p.gamma * e;
        break;
      case Season::kMultiplicative:
        level = base + p.alpha * e / s;
        trend = phib + p.beta * e / s;
        season = s + p.gamma * e / base;
        break;
    }
  } else {
    switch (spec.season) {
      case Season::kNone:
        level = base * (1 + p.alpha * e);
        trend = phib + p.beta * base * e;
        break;
      case Season::kAdditive: {
        const double mu = base + s;
        level = base + p.alpha * mu * e;
        trend = phib + p.beta * mu * e;
        season = s + p.gamma * mu * e;
        break;
      }
      case Season::kMultiplicative:
        level = base * (1 + p.alpha * e);
        trend = phib + p.beta * base * e;
        season = s * (1 + p.gamma * e);
        break;
    }
  }
  st.level = level;
  if (has_trend(spec)) st.trend = trend;
  if (has_season(spec)) st.season[k] = season;
}

struct FilterResult {
  double sse = 0;
  double sum_log_mu = 0;
  std::size_t used = 0;
  bool ok = true;
};

FilterResult filter(const EtsSpec& spec, const EtsParams& p, EtsState& st,
                    std::span<const double> y, std::span<const std::uint8_t> valid,
                    std::size_t t0 = 0) {
  FilterResult r;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const std::size_t t = t0 + i;
    const double mu = one_step(spec, p, st, t);
    double e = 0;
    if (valid[i]) {
      if (spec.multiplicative_error) {
        if (!(mu > 0)) {
          r.ok = false;
          return r;
        }
        e = (y[i] - mu) / mu;
        r.sum_log_mu += std::log(mu);
      } else {
        e = y[i] - mu;
      }
      r.sse += e * e;
      ++r.used;
    }
    update(spec, p, st, t, e);
    if (!std::isfinite(st.level)) {
      r.ok = false;
      return r;
    }
  }
  return r;
}

// Initial states from the first seasons (only valid values count).
EtsState initial_state(std::span<const double> y, std::span<const std::uint8_t> valid,
                       const EtsSpec& spec) {
  EtsState st;
  const std::size_t m = has_season(spec) ? spec.m : 1;
  auto mean_of = [&](std::size_t from, std::size_t to) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = from; i < std::min(to, y.size()); ++i) {
      if (valid[i]) {
        sum += y[i];
        ++n;
      }
    }
    return n ? sum / static_cast<double>(n) : std::nan("");
  };
  if (has_season(spec)) {
    // Classical decomposition over the whole history: a centred moving
    // average of one season (2 x m for an even m) is the trend-cycle; the
    // seasonal index of each position averages what is left. Using every
    // season, not just the first few, gives the smoother little to undo.
    const std::size_t n = y.size();
    const std::size_t half = m / 2;
    std::vector<double> ma(n, std::nan(""));
    for (std::size_t t = half; t + half < n; ++t) {
      if (m % 2 == 0 && t + half >= n) break;
      double sum = 0;
      bool ok = true;
      for (std::size_t k = t - half; k <= t + half && ok; ++k) {
        if (!valid[k]) ok = false;
        const double w = (m % 2 == 0 && (k == t - half || k == t + half)) ? 0.5 : 1.0;
        sum += w * y[k];
      }
      if (ok) ma[t] = sum / static_cast<double>(m);
    }
    st.season.assign(m, spec.season == Season::kMultiplicative ? 1.0 : 0.0);
    std::vector<double> sum(m, 0.0);
    std::vector<std::size_t> count(m, 0);
    for (std::size_t t = 0; t < n; ++t) {
      if (!valid[t] || !std::isfinite(ma[t]) ||
          (spec.season == Season::kMultiplicative && !(ma[t] > 0))) {
        continue;
      }
      sum[t % m] += spec.season == Season::kMultiplicative ? y[t] / ma[t] : y[t] - ma[t];
      ++count[t % m];
    }
    const bool decomposed =
        std::all_of(count.begin(), count.end(), [](std::size_t c) { return c > 0; });
    if (decomposed) {
      for (std::size_t j = 0; j < m; ++j) st.season[j] = sum[j] / static_cast<double>(count[j]);
    }
    // Normalise: seasonal terms sum to 0 (additive) or average 1.
    double total = 0;
    for (const double v : st.season) total += v;
    for (double& v : st.season) {
      v = spec.season == Season::kMultiplicative ? v * static_cast<double>(m) / total
                                                 : v - total / static_cast<double>(m);
    }
    // Level and slope at the start from the first defined stretch of the average.
    std::size_t first = n;
    for (std::size_t t = 0; t < n; ++t) {
      if (std::isfinite(ma[t])) {
        first = t;
        break;
      }
    }
    if (first < n) {
      double slope = 0;
      if (first + m < n && std::isfinite(ma[first + m]))
        slope = (ma[first + m] - ma[first]) / static_cast<double>(m);
      st.level = ma[first] - slope * static_cast<double>(first);
      st.trend = slope;
    } else {
      st.level = mean_of(0, m);
      st.trend = 0;
    }
  } else {
    // A least-squares line through the first ten valid values.
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (std::size_t i = 0; i < y.size() && n < 10; ++i) {
      if (!valid[i]) continue;
      const double x = static_cast<double>(i);
      sx += x;
      sy += y[i];
      sxx += x * x;
      sxy += x * y[i];
      n += 1;
    }
    const double slope =
        n > 1 && (n * sxx - sx * sx) != 0 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0;
    st.level = (sy - slope * sx) / std::max(n, 1.0);
    st.trend = slope;
  }
  if (!has_trend(spec)) st.trend = 0;
  if (!std::isfinite(st.level)) throw std::invalid_argument("no valid values to start from");
  return st;
}

EtsParams params_from(const EtsSpec& spec, const std::vector<double>& x) {
  EtsParams p;
  std::size_t i = 0;
  p.alpha = 0.0001 + 0.9998 * logistic(x[i++]);
  if (has_trend(spec)) p.beta = p.alpha * logistic(x[i++]);
  if (has_season(spec)) p.gamma = (1 - p.alpha) * logistic(x[i++]);
  p.phi = spec.trend == Trend::kDamped ? 0.8 + 0.18 * logistic(x[i++]) : 1.0;
  return p;
}

std::size_t parameter_count(const EtsSpec& spec) {
  std::size_t k = 1;  // alpha
  if (has_trend(spec)) ++k;
  if (has_season(spec)) ++k;
  if (spec.trend == Trend::kDamped) ++k;
  k += 1 + (has_trend(spec) ? 1 : 0) + (has_season(spec) ? spec.m - 1 : 0);  // initial states
  return k + 1;                                                              // sigma
}

}  // namespace

std::string EtsSpec::name() const {
  const char* t = trend == Trend::kNone ? "N" : trend == Trend::kAdditive ? "A" : "Ad";
  const char* s = season == Season::kNone ? "N" : season == Season::kAdditive ? "A" : "M";
  return std::string("ETS(") + (multiplicative_error ? "M" : "A") + "," + t + "," + s + ")";
}

EtsFit fit_ets(std::span<const double> y, std::span<const std::uint8_t> valid,
               const EtsSpec& spec) {
  if (has_season(spec) && (spec.m < 2 || y.size() < 2 * spec.m)) {
    throw std::invalid_argument("a seasonal model needs two full seasons");
  }
  const bool positive = std::all_of(y.begin(), y.end(), [&, i = std::size_t{0}](double v) mutable {
    return !valid[i++] || v > 0;
  });
  if ((spec.multiplicative_error || spec.season == Season::kMultiplicative) && !positive) {
    throw std::invalid_argument("multiplicative models need positive data");
  }
  const EtsState init = initial_state(y, valid, spec);
  const auto objective = [&](const std::vector<double>& x) {
    const EtsParams p = params_from(spec, x);
    EtsState st = init;
    const FilterResult r = filter(spec, p, st, y, valid);
    if (!r.ok || r.used == 0 || !std::isfinite(r.sse)) return kInf;
    const double n = static_cast<double>(r.used);
    // A noiseless series fits exactly: keep the logarithm finite.
    return n * std::log(std::max(r.sse / n, 1e-300)) + 2 * r.sum_log_mu;
  };
  std::vector<double> start{logit(0.3)};
  if (has_trend(spec)) start.push_back(logit(0.1));
  if (has_season(spec)) start.push_back(logit(0.1));
  if (spec.trend == Trend::kDamped) start.push_back(logit(0.8));
  const NelderMeadResult best = nelder_mead(objective, start, 1.0, 150 * start.size() + 100);
  if (!std::isfinite(best.value) || best.value >= 1e299 || best.value <= -1e299) {
    throw std::invalid_argument(spec.name() + " could not be fitted");
  }
  EtsFit fit;
  fit.spec = spec;
  fit.params = params_from(spec, best.x);
  fit.initial = init;
  fit.final = init;
  const FilterResult r = filter(spec, fit.params, fit.final, y, valid);
  fit.n = y.size();
  fit.used = r.used;
  const double n = static_cast<double>(r.used);
  fit.sigma = std::sqrt(r.sse / n);
  const double k = static_cast<double>(parameter_count(spec));
  fit.aicc = best.value + 2 * k + (n - k - 1 > 0 ? 2 * k * (k + 1) / (n - k - 1) : kInf);
  return fit;
}

EtsFit fit_auto(std::span<const double> y, std::span<const std::uint8_t> valid, std::size_t m,
                const EtsChoice& choice) {
  std::vector<EtsSpec> specs;
  for (const bool me : {false, true}) {
    if (choice.error != "auto" && (choice.error == "M") != me) continue;
    for (const Trend t : {Trend::kNone, Trend::kAdditive, Trend::kDamped}) {
      const char* tn = t == Trend::kNone ? "N" : t == Trend::kAdditive ? "A" : "Ad";
      if (choice.trend != "auto" && choice.trend != tn) continue;
      for (const Season s : {Season::kNone, Season::kAdditive, Season::kMultiplicative}) {
        const char* sn = s == Season::kNone ? "N" : s == Season::kAdditive ? "A" : "M";
        if (choice.season != "auto" && choice.season != sn) continue;
        if (s != Season::kNone && m < 2) continue;
        // Additive errors with a multiplicative season are numerically unstable.
        if (!me && s == Season::kMultiplicative && choice.error == "auto") continue;
        specs.push_back({me, t, s, s == Season::kNone ? 1 : m});
      }
    }
  }
  EtsFit best;
  bool found = false;
  std::string why = "no model fits";
  for (const auto& spec : specs) {
    try {
      EtsFit f = fit_ets(y, valid, spec);
      if (!found || f.aicc < best.aicc) {
        best = std::move(f);
        found = true;
      }
    } catch (const std::invalid_argument& e) {
      why = e.what();
    }
  }
  if (!found) throw std::invalid_argument(why);
  return best;
}

void extend(EtsFit& fit, std::span<const double> y, std::span<const std::uint8_t> valid) {
  const FilterResult r = filter(fit.spec, fit.params, fit.final, y, valid, fit.n);
  if (!r.ok) throw std::invalid_argument("the new values drive the model out of range");
  fit.n += y.size();
  fit.used += r.used;
}

std::vector<double> point_forecast(const EtsFit& fit, std::size_t h) {
  std::vector<double> out;
  EtsState st = fit.final;
  for (std::size_t i = 0; i < h; ++i) {
    const std::size_t t = fit.n + i;
    out.push_back(one_step(fit.spec, fit.params, st, t));
    update(fit.spec, fit.params, st, t, 0.0);
  }
  return out;
}

std::vector<double> simulate_quantiles(const EtsFit& fit, std::size_t h,
                                       std::span<const double> levels, std::size_t paths,
                                       std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, fit.sigma);
  std::vector<double> sims(h * paths);  // [step][path]
  for (std::size_t p = 0; p < paths; ++p) {
    EtsState st = fit.final;
    for (std::size_t i = 0; i < h; ++i) {
      const std::size_t t = fit.n + i;
      const double mu = one_step(fit.spec, fit.params, st, t);
      const double e = noise(rng);
      sims[i * paths + p] = fit.spec.multiplicative_error ? mu * (1 + e) : mu + e;
      update(fit.spec, fit.params, st, t, e);
    }
  }
  std::vector<double> out;
  out.reserve(h * levels.size());
  for (std::size_t i = 0; i < h; ++i) {
    std::span<double> row(sims.data() + i * paths, paths);
    std::sort(row.begin(), row.end());
    for (const double q : levels) out.push_back(sorted_quantile(row, q));
  }
  return out;
}

nlohmann::json to_json(const EtsFit& f) {
  auto state = [](const EtsState& s) {
    return nlohmann::json{{"level", s.level}, {"trend", s.trend}, {"season", s.season}};
  };
  return {{"error", f.spec.multiplicative_error ? "M" : "A"},
          {"trend", f.spec.trend == Trend::kNone       ? "N"
                    : f.spec.trend == Trend::kAdditive ? "A"
                                                       : "Ad"},
          {"season", f.spec.season == Season::kNone       ? "N"
                     : f.spec.season == Season::kAdditive ? "A"
                                                          : "M"},
          {"m", f.spec.m},
          {"alpha", f.params.alpha},
          {"beta", f.params.beta},
          {"gamma", f.params.gamma},
          {"phi", f.params.phi},
          {"initial", state(f.initial)},
          {"final", state(f.final)},
          {"n", f.n},
          {"used", f.used},
          {"sigma", f.sigma},
          {"aicc", f.aicc}};
}

EtsFit ets_from_json(const nlohmann::json& j) {
  auto state = [](const nlohmann::json& s) {
    EtsState st;
    st.level = s.at("level").get<double>();
    st.trend = s.at("trend").get<double>();
    st.season = s.at("season").get<std::vector<double>>();
    return st;
  };
  EtsFit f;
  f.spec.multiplicative_error = j.at("error").get<std::string>() == "M";
  const std::string t = j.at("trend").get<std::string>();
  f.spec.trend = t == "N" ? Trend::kNone : t == "A" ? Trend::kAdditive : Trend::kDamped;
  const std::string s = j.at("season").get<std::string>();
  f.spec.season = s == "N" ? Season::kNone : s == "A" ? Season::kAdditive : Season::kMultiplicative;
  f.spec.m = j.at("m").get<std::size_t>();
  f.params = {j.at("alpha").get<double>(), j.at("beta").get<double>(), j.at("gamma").get<double>(),
              j.at("phi").get<double>()};
  f.initial = state(j.at("initial"));
  f.final = state(j.at("final"));
  f.n = j.at("n").get<std::size_t>();
  f.used = j.at("used").get<std::size_t>();
  f.sigma = j.at("sigma").get<double>();
  f.aicc = j.at("aicc").get<double>();
  if (f.spec.season != Season::kNone && f.final.season.size() != f.spec.m) {
    throw std::invalid_argument("saved ETS state: season size differs from m");
  }
  return f;
}

}  // namespace lp::forecast
