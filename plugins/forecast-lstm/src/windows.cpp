#include "windows.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lp::forecast::lstm {

namespace {

constexpr std::int64_t kDayNs = 86'400'000'000'000;

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  const std::int64_t r = a % b;
  return r < 0 ? r + b : r;
}

}  // namespace

void calendar_features(std::int64_t t_ns, float out[4]) {
  constexpr double two_pi = 2 * std::numbers::pi;
  const double day = static_cast<double>(floor_mod(t_ns, kDayNs)) / static_cast<double>(kDayNs);
  // 1970-01-01 was a Thursday: shifting by 3 days puts Monday 00:00 at 0.
  const double week = static_cast<double>(floor_mod(t_ns + 3 * kDayNs, 7 * kDayNs)) /
                      static_cast<double>(7 * kDayNs);
  out[0] = static_cast<float>(std::sin(two_pi * day));
  out[1] = static_cast<float>(std::cos(two_pi * day));
  out[2] = static_cast<float>(std::sin(two_pi * week));
  out[3] = static_cast<float>(std::cos(two_pi * week));
}

SeriesView::SeriesView(History h, std::vector<std::uint8_t> event, std::size_t chunk)
    : h_(std::move(h)), event_(std::move(event)), chunk_(std::max<std::size_t>(chunk, 1)) {
  event_.resize(h_.values.size(), 0);
  impute();
}

void SeriesView::append(const History& more) {
  h_.values.insert(h_.values.end(), more.values.begin(), more.values.end());
  h_.valid.insert(h_.valid.end(), more.valid.begin(), more.valid.end());
  event_.resize(h_.values.size(), 0);  // update() carries no events
  impute();
}

void SeriesView::keep_last(std::size_t n) {
  if (size() <= n) return;
  const std::size_t drop = size() - n;
  h_.start_ns += static_cast<std::int64_t>(drop) * h_.step_ns;
  h_.values.erase(h_.values.begin(), h_.values.begin() + static_cast<std::ptrdiff_t>(drop));
  h_.valid.erase(h_.valid.begin(), h_.valid.begin() + static_cast<std::ptrdiff_t>(drop));
  event_.erase(event_.begin(), event_.begin() + static_cast<std::ptrdiff_t>(drop));
  impute();
}

// A masked step takes the value one season earlier (or the last known one),
// leading masked steps the first known value at their phase: the network sees
// a plausible shape plus a flag rather than a zero.
void SeriesView::impute() {
  const std::size_t n = size(), m = chunk_;
  filled_.assign(n, 0.0);
  std::vector<std::uint8_t> known(n, 0);
  std::size_t first = n, last = n;
  double sum_abs = 0;
  std::size_t count = 0;
  for (std::size_t t = 0; t < n; ++t) {
    if (h_.valid[t]) {
      filled_[t] = h_.values[t];
      sum_abs += std::fabs(h_.values[t]);
      ++count;
    } else if (t >= m && known[t - m]) {
      filled_[t] = filled_[t - m];
    } else if (last < n) {
      filled_[t] = filled_[last];
    } else {
      continue;
    }
    known[t] = 1;
    last = t;
    if (first == n) first = t;
  }
  // With nothing known (no valid value at all) the zeros stay: fit refuses such a history.
  for (std::size_t t = first < n ? first : 0; t-- > 0;) {
    filled_[t] = t + m < n && known[t + m] ? filled_[t + m] : filled_[first];
    known[t] = 1;
  }
  scale_ = count ? sum_abs / static_cast<double>(count) : 1.0;
  if (!(scale_ > 0)) scale_ = 1.0;
}

// The mean of the last season before the origin, floored at a tenth of the
// series' mean magnitude so a near-zero day does not blow the ratios up.
double SeriesView::level_at(std::size_t origin, std::size_t span) const {
  double sum = 0;
  for (std::size_t t = origin - span; t < origin; ++t) sum += filled_[t];
  return std::max(sum / static_cast<double>(span), 0.1 * scale_);
}

Batch SeriesView::windows(const Shape& s, const std::vector<std::size_t>& origins) const {
  const std::size_t T = s.tokens(), F = s.features(), L = s.window, H = s.horizon;
  const std::size_t k = s.chunk, n = size();
  const std::size_t span = k >= 2 ? k : std::min<std::size_t>(L, 12);
  Batch b;
  b.count = origins.size();
  b.tokens.assign(b.count * T * F, 0.f);
  b.window.assign(b.count * L, 0.f);
  b.target.assign(b.count * H, 0.f);
  b.weight.assign(b.count * H, 0.f);
  b.level.assign(b.count, 1.0);
  for (std::size_t i = 0; i < b.count; ++i) {
    const std::size_t o = origins[i];
    const double level = level_at(o, span);
    b.level[i] = level;
    float cal[4];
    calendar_features(h_.start_ns + static_cast<std::int64_t>(o) * h_.step_ns, cal);
    const std::size_t from = o - L;
    for (std::size_t j = 0; j < L; ++j)
      b.window[i * L + j] = static_cast<float>(filled_[from + j] / level - 1);
    for (std::size_t tok = 0; tok < T; ++tok) {
      float* f = &b.tokens[(i * T + tok) * F];
      std::size_t events = 0;
      for (std::size_t j = 0; j < k; ++j) {
        const std::size_t t = from + tok * k + j;
        f[j] = b.window[i * L + tok * k + j];
        f[k + j] = h_.valid[t] ? 1.f : 0.f;
        events += event_[t];
      }
      f[2 * k] = static_cast<float>(events) / static_cast<float>(k);
      std::copy(cal, cal + 4, f + 2 * k + 1);
    }
    for (std::size_t h = 0; h < H; ++h) {
      const std::size_t t = o + h;
      if (t < n && h_.valid[t]) {
        b.target[i * H + h] = static_cast<float>(h_.values[t] / level - 1);
        b.weight[i * H + h] = 1.f;
      }
    }
  }
  return b;
}

std::vector<std::size_t> SeriesView::training_origins(const Shape& s) const {
  std::vector<std::size_t> out;
  const std::size_t n = size(), L = s.window, H = s.horizon;
  for (std::size_t o = L; o + H <= n; ++o) {
    const auto in = std::count(h_.valid.begin() + static_cast<std::ptrdiff_t>(o - L),
                               h_.valid.begin() + static_cast<std::ptrdiff_t>(o), std::uint8_t{1});
    const auto ahead =
        std::count(h_.valid.begin() + static_cast<std::ptrdiff_t>(o),
                   h_.valid.begin() + static_cast<std::ptrdiff_t>(o + H), std::uint8_t{1});
    if (2 * static_cast<std::size_t>(in) >= L && ahead > 0) out.push_back(o);
  }
  return out;
}

}  // namespace lp::forecast::lstm
