// Counters the service keeps about itself; rendered by exposition.hpp.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "route.hpp"

namespace lp::demo_target {

// Status codes the service answers with; anything else is counted as the last entry.
inline constexpr std::array<unsigned, 8> kStatuses{200, 400, 404, 405, 413, 500, 503, 0};

// Upper bounds (seconds) of the service-side latency histogram: arrival to response ready.
inline constexpr std::array<double, 14> kLatencyBuckets{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};

class Metrics {
 public:
  void record_response(Route route, unsigned status);
  void record_rejected(Route route) { rejected_[index(route)].fetch_add(1, kOrder); }
  void observe_latency(double seconds);
  void request_started() { in_flight_.fetch_add(1, kOrder); }
  void request_finished() { in_flight_.fetch_sub(1, kOrder); }
  void connection_opened() {
    connections_.fetch_add(1, kOrder);
    connections_total_.fetch_add(1, kOrder);
  }
  void connection_closed() { connections_.fetch_sub(1, kOrder); }

  std::uint64_t responses(Route route, std::size_t status_index) const {
    return responses_[index(route)][status_index].load(kOrder);
  }
  std::uint64_t rejected(Route route) const { return rejected_[index(route)].load(kOrder); }
  std::int64_t in_flight() const { return in_flight_.load(kOrder); }
  std::int64_t connections() const { return connections_.load(kOrder); }
  std::uint64_t connections_total() const { return connections_total_.load(kOrder); }
  // Non-cumulative; the last entry counts observations above every bound.
  std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(kOrder); }
  double latency_sum_seconds() const;
  std::uint64_t latency_count() const { return latency_count_.load(kOrder); }

 private:
  static constexpr auto kOrder = std::memory_order_relaxed;
  static constexpr std::size_t index(Route r) { return static_cast<std::size_t>(r); }

  std::array<std::array<std::atomic<std::uint64_t>, kStatuses.size()>, kRouteCount> responses_{};
  std::array<std::atomic<std::uint64_t>, kRouteCount> rejected_{};
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets_{};
  std::atomic<std::uint64_t> latency_sum_ns_{0};
  std::atomic<std::uint64_t> latency_count_{0};
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::uint64_t> connections_total_{0};
};

}  // namespace lp::demo_target
