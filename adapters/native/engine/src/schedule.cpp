#include "schedule.hpp"

#include <algorithm>
#include <cmath>

namespace lp::native {

void ArrivalSchedule::set_rate(double per_s, double phase, int64_t now_ns, Rng& rng) {
  if (!(per_s > 0) || !std::isfinite(per_s)) {
    gap_ns_ = 0;
    return;
  }
  const bool was_active = active();
  gap_ns_ = 1e9 / per_s;
  int64_t first;
  if (was_active && last_ns_ >= 0) {
    // Continue from the last arrival at the new spacing; a gap that would
    // already be over starts now rather than firing a catch-up burst.
    const double gap = arrivals_ == Arrivals::kPoisson ? gap_ns_ * rng.exponential() : gap_ns_;
    first = std::max(now_ns, last_ns_ + static_cast<int64_t>(std::llround(gap)));
  } else if (arrivals_ == Arrivals::kPoisson) {
    first = now_ns + static_cast<int64_t>(std::llround(gap_ns_ * rng.exponential()));
  } else {
    first = now_ns + static_cast<int64_t>(std::llround(gap_ns_ * phase));
  }
  anchor_ns_ = first;
  count_ = 0;
  next_ns_ = first;
}

void ArrivalSchedule::advance(Rng& rng) {
  last_ns_ = next_ns_;
  if (arrivals_ == Arrivals::kPoisson) {
    next_ns_ += static_cast<int64_t>(std::llround(gap_ns_ * rng.exponential()));
  } else {
    ++count_;
    next_ns_ =
        anchor_ns_ + static_cast<int64_t>(std::llround(gap_ns_ * static_cast<double>(count_)));
  }
}

}  // namespace lp::native
