#include "exposition.hpp"

#include <fmt/format.h>

#include <iterator>

namespace lp::demo_target {
namespace {

class Writer {
 public:
  // Every family starts with its HELP and TYPE lines, as the format requires.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                   type);
  }
  template <typename T>
  void sample(std::string_view name, std::string_view labels, T value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    } else {
      fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
    }
  }
  template <typename T>
  void single(std::string_view name, std::string_view type, std::string_view help, T value) {
    family(name, type, help);
    sample(name, "", value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string route_label(const RouteInfo& info) {
  return fmt::format("route=\"{}\"", info.label);
}

}  // namespace

std::string render_prometheus(const ExpositionInput& in) {
  Writer w;
  const Metrics& m = in.metrics;

  w.single("process_cpu_seconds_total", "counter",
           "Total user and system CPU time spent in seconds.", in.process.cpu_seconds);
  w.single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
           in.process.resident_bytes);
  w.single("process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.", in.start_time_seconds);
  w.single("demo_target_uptime_seconds", "gauge", "Seconds since the service started.",
           in.uptime_seconds);

  w.single("demo_target_capacity_requests_per_second", "gauge",
           "Configured maximum sustainable rate on multiplier-1 routes: workers * 1000 / "
           "service_time_ms.",
           in.workers * 1000.0 / in.service_time_ms);
  w.single("demo_target_workers", "gauge", "Requests served at the same time.", in.workers);
  w.single("demo_target_queue_capacity", "gauge",
           "Requests that may wait for a worker; beyond that they get 503.", in.queue_capacity);
  w.single("demo_target_service_time_seconds", "gauge", "Base service time per request.",
           in.service_time_ms / 1000.0);
  w.single("demo_target_service_jitter_ratio", "gauge",
           "Service time is uniform in base * (1 +/- jitter).", in.service_jitter);
  w.family("demo_target_route_service_multiplier", "gauge",
           "Service time of a route as a multiple of the base service time.");
  for (const auto& info : kRoutes) {
    if (info.pooled) {
      w.sample("demo_target_route_service_multiplier", route_label(info),
               in.multipliers[static_cast<std::size_t>(info.route)]);
    }
  }
  w.family("demo_target_info", "gauge", "Service mode of the workers (sleep or cpu).");
  w.sample("demo_target_info", fmt::format("mode=\"{}\"", service_mode_name(in.mode)), 1);
  w.single("demo_target_fail_rate_ratio", "gauge", "Fraction of GET /fail answered 500.",
           in.fail_rate);

  w.single("demo_target_queue_depth", "gauge", "Requests waiting for a worker.",
           in.pool.queue_depth);
  w.single("demo_target_busy_workers", "gauge", "Workers serving a request (or held by a stall).",
           in.pool.busy_workers);
  w.single("demo_target_in_flight_requests", "gauge",
           "Requests received and not yet answered, on every route.", m.in_flight());
  w.single("demo_target_open_connections", "gauge", "Open client connections.", m.connections());
  w.single("demo_target_connections_total", "counter", "Client connections accepted.",
           m.connections_total());

  w.family("demo_target_http_responses_total", "counter",
           "Responses sent, by route and status code (503 rejections included).");
  for (const auto& info : kRoutes) {
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      const auto count = m.responses(info.route, s);
      // Success series of pooled routes exist from the start so that rates work at once.
      if (count == 0 && !(info.pooled && kStatuses[s] == 200)) {
        continue;
      }
      const auto code = kStatuses[s] == 0 ? std::string("other") : std::to_string(kStatuses[s]);
      w.sample("demo_target_http_responses_total",
               fmt::format("route=\"{}\",code=\"{}\"", info.label, code), count);
    }
  }
  w.family("demo_target_rejected_total", "counter",
           "Requests answered 503 at once because every worker was busy and the queue full.");
  for (const auto& info : kRoutes) {
    if (info.pooled) {
      w.sample("demo_target_rejected_total", route_label(info), m.rejected(info.route));
    }
  }

  w.single("demo_target_stalled", "gauge", "1 while the workers are frozen by a stall.",
           in.pool.stalled ? 1 : 0);
  w.single("demo_target_stalls_total", "counter", "Stalls started (periodic and admin).",
           in.pool.stalls);
  w.single("demo_target_stall_seconds_total", "counter",
           "Scheduled stall time, the current stall included.", in.pool.stall_seconds);

  constexpr std::string_view kLatency = "demo_target_request_duration_seconds";
  w.family(kLatency, "histogram",
           "Service-side latency of pooled requests: arrival to response ready (queueing, "
           "service and stalls; 503s excluded).");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += m.bucket(i);
    w.sample(fmt::format("{}_bucket", kLatency), fmt::format("le=\"{}\"", kLatencyBuckets[i]),
             cumulative);
  }
  cumulative += m.bucket(kLatencyBuckets.size());
  w.sample(fmt::format("{}_bucket", kLatency), "le=\"+Inf\"", cumulative);
  w.sample(fmt::format("{}_sum", kLatency), "", m.latency_sum_seconds());
  w.sample(fmt::format("{}_count", kLatency), "", cumulative);
  return w.take();
}

}  // namespace lp::demo_target
