#include "metrics.hpp"

#include <algorithm>
#include <cmath>

namespace lp::demo_target {

void Metrics::record_response(Route route, unsigned status) {
  const auto it = std::find(kStatuses.begin(), kStatuses.end() - 1, status);
  responses_[index(route)][static_cast<std::size_t>(it - kStatuses.begin())].fetch_add(1, kOrder);
}

void Metrics::observe_latency(double seconds) {
  const auto it = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
  buckets_[static_cast<std::size_t>(it - kLatencyBuckets.begin())].fetch_add(1, kOrder);
  latency_sum_ns_.fetch_add(static_cast<std::uint64_t>(std::llround(std::max(seconds, 0.0) * 1e9)),
                            kOrder);
  latency_count_.fetch_add(1, kOrder);
}

double Metrics::latency_sum_seconds() const {
  return static_cast<double>(latency_sum_ns_.load(kOrder)) / 1e9;
}

}  // namespace lp::demo_target
