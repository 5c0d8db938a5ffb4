// Renders the service's state in the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <array>
#include <string>

#include "metrics.hpp"
#include "options.hpp"
#include "process_stats.hpp"
#include "worker_pool.hpp"

namespace lp::demo_target {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

struct ExpositionInput {
  const Metrics& metrics;
  WorkerPool::Snapshot pool{};
  unsigned workers = 0;
  std::size_t queue_capacity = 0;
  double service_time_ms = 0;
  double service_jitter = 0;
  double fail_rate = 0;
  ServiceMode mode = ServiceMode::kSleep;
  std::array<double, kRouteCount> multipliers{};
  double uptime_seconds = 0;
  double start_time_seconds = 0;  // unix time
  ProcessStats process{};
};

std::string render_prometheus(const ExpositionInput& in);

}  // namespace lp::demo_target
