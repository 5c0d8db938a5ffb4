#include "history.hpp"

#include <algorithm>
#include <cmath>

namespace lp::forecast {

std::size_t History::valid_count() const {
  return static_cast<std::size_t>(std::count(valid.begin(), valid.end(), std::uint8_t{1}));
}

double event_factor(std::span<const lp::sdk::Event> events, std::int64_t t, std::int64_t step_ns) {
  double f = 1.0;
  for (const auto& e : events) {
    if (e.start_ns < t + step_ns && t < e.end_ns && e.multiplier > 0) f *= e.multiplier;
  }
  return f;
}

namespace {

void add_values(History& h, const lp::sdk::Series& s, std::span<const lp::sdk::Event> events) {
  for (std::size_t i = 0; i < s.values.size(); ++i) {
    const std::int64_t t = s.start_ns + static_cast<std::int64_t>(i) * s.step_ns;
    const double v = s.values[i];
    const bool ok = s.is_valid(i) && std::isfinite(v);
    h.values.push_back(ok ? v / event_factor(events, t, s.step_ns) : 0.0);
    h.valid.push_back(ok ? 1 : 0);
  }
}

}  // namespace

History prepare_history(const lp::sdk::Series& series, std::span<const lp::sdk::Event> events) {
  if (series.step_ns <= 0)
    throw lp::sdk::Error("the history's step must be > 0", LP_ERR_INVALID_ARGUMENT);
  History h;
  h.start_ns = series.start_ns;
  h.step_ns = series.step_ns;
  add_values(h, series, events);
  return h;
}

void append_history(History& h, const lp::sdk::Series& more,
                    std::span<const lp::sdk::Event> events) {
  if (more.step_ns != h.step_ns) {
    throw lp::sdk::Error("update: the step differs from the fitted history's",
                         LP_ERR_INVALID_ARGUMENT);
  }
  if (more.start_ns != h.end_ns()) {
    throw lp::sdk::Error("update: the new values must start where the history ends",
                         LP_ERR_INVALID_ARGUMENT);
  }
  add_values(h, more, events);
}

std::size_t season_length(const nlohmann::json& config, std::int64_t step_ns) {
  if (config.contains("season")) return config["season"].get<std::size_t>();
  const std::int64_t day = 86'400'000'000'000;
  if (step_ns <= 0 || day % step_ns != 0) return 0;
  const std::int64_t m = day / step_ns;
  return m >= 2 && m <= 2000 ? static_cast<std::size_t>(m) : 0;
}

std::vector<double> horizon_factors(std::int64_t start_ns, std::int64_t step_ns, std::size_t h,
                                    std::span<const lp::sdk::Event> events) {
  std::vector<double> f(h);
  for (std::size_t i = 0; i < h; ++i) {
    f[i] = event_factor(events, start_ns + static_cast<std::int64_t>(i) * step_ns, step_ns);
  }
  return f;
}

double sorted_quantile(std::span<const double> sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace lp::forecast
